#include "bpfkit/program.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "run_record_hooks.hpp"

namespace bpfkit {

::bpf_program* program::require() const {
  if (!prog_) throw error(EINVAL, "bpfkit::program is not bound to a program");
  return prog_;
}

std::string program::describe() const { return "program '" + std::string(name()) + "'"; }

int program::require_fd(std::string_view operation) const {
  int fd = program::fd();
  if (fd < 0)
    throw error(EBADF, std::string(operation) + " " + describe() +
                           ": the object is not loaded yet (call load() first)");
  return fd;
}

std::string_view program::name() const { return bpf_program__name(require()); }
std::string_view program::section() const { return bpf_program__section_name(require()); }
program_type program::type() const { return static_cast<program_type>(bpf_program__type(require())); }

int program::fd() const {
  int fd = bpf_program__fd(require());
  return fd < 0 ? -1 : fd;  // libbpf says -ENOENT
}

bool program::autoload() const { return bpf_program__autoload(require()); }

void program::set_autoload(bool load) const {
  if (int err = bpf_program__set_autoload(require(), load); err != 0)
    throw error(err, "set autoload of " + describe() + ": the object is already loaded");
}

std::uint32_t program::verified_insns() const {
  int fd = require_fd("read the verifier statistics of");
  // An instrumented program (coverage): the plain program's figure.
  if (auto plain = detail::plain_verified_insns(prog_)) return *plain;
  bpf_prog_info info{};
  __u32 size = sizeof info;
  // libbpf 1.1 has no bpf_prog_get_info_by_fd; this is the same syscall.
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0)
    throw error(errno, "read the verifier statistics of " + describe());
  return info.verified_insns;
}

std::span<const std::byte> program::instructions() const {
  const bpf_insn* insns = bpf_program__insns(require());
  if (!insns) return {};
  return {reinterpret_cast<const std::byte*>(insns), bpf_program__insn_cnt(prog_) * sizeof(bpf_insn)};
}

test_run_result program::test_run(const test_run_opts& opts) const {
  return kernel::test_run(require_fd("test-run"), opts, describe());
}

test_run_result kernel::test_run(int fd, const test_run_opts& opts, const std::string& what) {
  test_run_result result;
  std::size_t out_size = opts.data_out_size;
  if (out_size == 0 && !opts.data_in.empty()) out_size = opts.data_in.size() + 256;
  result.data_out.resize(out_size);

  bpf_test_run_opts run{};
  run.sz = sizeof run;
  run.data_in = opts.data_in.empty() ? nullptr : opts.data_in.data();
  run.data_size_in = static_cast<__u32>(opts.data_in.size());
  run.data_out = result.data_out.empty() ? nullptr : result.data_out.data();
  run.data_size_out = static_cast<__u32>(result.data_out.size());
  run.ctx_in = opts.ctx_in.empty() ? nullptr : opts.ctx_in.data();
  run.ctx_size_in = static_cast<__u32>(opts.ctx_in.size());
  // Program types that run once (raw tracepoints, syscall programs) reject
  // any repeat count; for the others 0 means once.
  run.repeat = opts.repeat > 1 ? opts.repeat : 0;
  if (bpf_prog_test_run_opts(fd, &run) != 0) throw error(errno, "test-run " + what);

  result.retval = run.retval;
  result.duration_ns = run.duration;
  result.data_out.resize(run.data_size_out);
  return result;
}

}  // namespace bpfkit
