#include "kernel_fixture.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "bpfkit/coverage/instrument.hpp"

namespace coverage_test {
namespace {

std::string *captured = nullptr;

int capture_print(enum libbpf_print_level level, const char *format, va_list args) {
  if (!captured || level == LIBBPF_DEBUG) return 0;
  char buffer[4096];
  const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
  captured->append(buffer, n > 0 ? std::min<std::size_t>(n, sizeof buffer - 1) : 0);
  return 0;
}

}  // namespace

std::optional<std::string> missing_privilege() {
  static const std::optional<std::string> missing = []() -> std::optional<std::string> {
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[0].imm = 2;
    insns[1].code = BPF_JMP | BPF_EXIT;
    const int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", insns, 2, nullptr);
    if (fd >= 0) {
      close(fd);
      return std::nullopt;
    }
    if (errno == EPERM || errno == EACCES)
      return std::string("cannot load BPF programs here (") + std::strerror(errno) +
             "): run as root, or with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN";
    return std::nullopt;
  }();
  return missing;
}

void kernel_test::SetUp() {
  if (auto missing = missing_privilege()) GTEST_SKIP() << *missing;
}

load_result load(std::span<const std::byte> elf, const std::string &name,
                 const std::function<void(bpf_object *)> &prepare) {
  load_result result;
  // A bounded verifier log: with libbpf's own, a program near the limit of
  // one million processed instructions is verified again for every
  // doubling of its log buffer.
  std::vector<char> verifier_log(4 << 20, '\0');
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str(), .kernel_log_buf = verifier_log.data(),
              .kernel_log_size = verifier_log.size());
  std::string log;
  captured = &log;
  const auto previous = libbpf_set_print(capture_print);
  bpf_object *obj = bpf_object__open_mem(elf.data(), elf.size(), &opts);
  if (!obj) {
    result.error = "open failed: " + std::string(std::strerror(errno)) + "\n" + log;
  } else {
    if (prepare) prepare(obj);
    if (bpf_object__load(obj) != 0) {
      const std::string text(verifier_log.data(), strnlen(verifier_log.data(), verifier_log.size()));
      result.error = (log.empty() ? "load failed\n" : log) + "verifier log (end): " +
                     text.substr(text.size() > 2000 ? text.size() - 2000 : 0);
      bpf_object__close(obj);
    } else {
      result.object.reset(obj);
    }
  }
  libbpf_set_print(previous);
  captured = nullptr;
  return result;
}

std::vector<std::uint64_t> read_counters(bpf_object *object, std::size_t count) {
  std::vector<std::uint64_t> counters(count);
  const bpf_map *map = bpf_object__find_map_by_name(object, bpfkit::coverage::counter_section);
  EXPECT_NE(map, nullptr);
  const int key = 0;
  if (map) {
    EXPECT_EQ(bpf_map_lookup_elem(bpf_map__fd(map), &key, counters.data()), 0) << std::strerror(errno);
  }
  return counters;
}

run_result test_run(bpf_object *object, const char *program, const std::vector<std::uint8_t> &data,
                    std::uint32_t repeat, const std::vector<std::uint8_t> &ctx) {
  run_result result;
  const bpf_program *prog = bpf_object__find_program_by_name(object, program);
  EXPECT_NE(prog, nullptr) << program;
  if (!prog) return result;
  result.data_out.resize(data.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  if (!data.empty()) {
    opts.data_in = data.data();
    opts.data_size_in = static_cast<std::uint32_t>(data.size());
    opts.data_out = result.data_out.data();
    opts.data_size_out = static_cast<std::uint32_t>(result.data_out.size());
  }
  if (!ctx.empty()) {
    opts.ctx_in = ctx.data();
    opts.ctx_size_in = static_cast<std::uint32_t>(ctx.size());
  }
  opts.repeat = repeat > 1 ? repeat : 0;  // raw_tp runs refuse any repeat, 0 means once
  EXPECT_EQ(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0)
      << program << ": BPF_PROG_TEST_RUN failed: " << std::strerror(errno);
  result.retval = opts.retval;
  result.data_out.resize(opts.data_size_out);
  return result;
}

std::uint32_t verified_insns(bpf_object *object, const char *program) {
  const bpf_program *prog = bpf_object__find_program_by_name(object, program);
  bpf_prog_info info = {};
  std::uint32_t size = sizeof info;
  if (!prog || bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &size) != 0) return 0;
  return info.verified_insns;
}

std::uint64_t global_u64(bpf_object *object, const char *name) {
  const btf *types = bpf_object__btf(object);
  for (const char *section : {".bss", ".data"}) {
    const int id = btf__find_by_name_kind(types, section, BTF_KIND_DATASEC);
    if (id < 0) continue;
    const btf_type *datasec = btf__type_by_id(types, id);
    const btf_var_secinfo *var = btf_var_secinfos(datasec);
    for (unsigned k = 0; k < btf_vlen(datasec); ++k, ++var) {
      if (std::strcmp(btf__name_by_offset(types, btf__type_by_id(types, var->type)->name_off), name) != 0)
        continue;
      const bpf_map *map = bpf_object__find_map_by_name(object, section);
      std::vector<std::uint8_t> value(bpf_map__value_size(map));
      const int key = 0;
      EXPECT_EQ(bpf_map_lookup_elem(bpf_map__fd(map), &key, value.data()), 0);
      std::uint64_t out = 0;
      std::memcpy(&out, value.data() + var->offset, sizeof out);
      return out;
    }
  }
  ADD_FAILURE() << "no global variable " << name;
  return 0;
}

std::vector<std::uint8_t> frame(std::size_t size, std::uint16_t ether_type) {
  std::vector<std::uint8_t> bytes(size, 0);
  for (int k = 0; k < 6; ++k) {
    bytes[k] = 0x02;
    bytes[6 + k] = 0x04;
  }
  bytes[12] = static_cast<std::uint8_t>(ether_type >> 8);
  bytes[13] = static_cast<std::uint8_t>(ether_type & 0xff);
  return bytes;
}

std::optional<std::string> ensure_tracefs() {
  struct stat st;
  if (stat("/sys/kernel/tracing/instances", &st) == 0) return std::nullopt;
  // A private mount, so that nothing reaches the host's mount table.
  if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return std::string("tracefs is not mounted and cannot be mounted privately: ") + std::strerror(errno);
  return std::nullopt;
}

}  // namespace coverage_test
