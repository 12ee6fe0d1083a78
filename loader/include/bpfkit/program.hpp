// bpfkit::program, a view of one program of a bpfkit::object.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bpfkit/link.hpp"
#include "bpfkit/program_type.hpp"
#include "bpfkit/test_run.hpp"

struct bpf_program;  // libbpf's; <bpfkit/libbpf.hpp> reaches it

namespace bpfkit {

// Non-owning and copyable: valid while its object lives. fd(), test runs
// and attaching need a loaded object. Failures throw bpfkit::error naming
// the program and, for attach calls, the hook.
class program {
 public:
  program() noexcept = default;  // bound to no program; every call throws

  std::string_view name() const;
  std::string_view section() const;  // SEC("...")
  program_type type() const;
  int fd() const;  // -1 before the object is loaded
  // Whether load() loads this program (default: yes). Set before load().
  bool autoload() const;
  void set_autoload(bool load) const;

  // Instructions the verifier processed (kernel 5.16+).
  std::uint32_t verified_insns() const;
  // The program's instructions as compiled (8 bytes each), before load():
  // map references and CO-RE relocations unresolved, subprograms not yet
  // appended.
  std::span<const std::byte> instructions() const;

  // Runs the program once (or `repeat` times) in the kernel on the given
  // input, without attaching it anywhere.
  test_run_result test_run(const test_run_opts& opts = {}) const;

  // Attaches as the program's section says (SEC("tp/..."), "kprobe/...", ...).
  link attach() const;
  // What skeleton::attach() does for each program: attach() when the
  // section names a hook libbpf attaches by itself and autoload is on; an
  // empty link for programs that need a target (XDP, tc, a bare "kprobe", ...).
  link auto_attach() const;
  // flags: XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, ... of <linux/if_link.h>
  // (0: the driver's best).
  link attach_xdp(int ifindex, std::uint32_t flags = 0) const;
  // A clsact filter on ingress or egress (the qdisc is created when missing).
  link attach_tc(int ifindex, bool ingress = true) const;
  // A TCX link on ingress or egress (Linux 6.6+): a BPF link, so it can be
  // pinned, unlike a clsact filter. Throws bpfkit::error with the kernel's
  // errno (EINVAL on kernels without TCX).
  link attach_tcx(int ifindex, bool ingress = true) const;
  link attach_tracepoint(std::string_view category, std::string_view name) const;
  link attach_raw_tracepoint(std::string_view name) const;
  link attach_kprobe(std::string_view function, bool retprobe = false) const;
  // pid -1: every process; offset: the probed address's file offset in `binary`.
  link attach_uprobe(const std::string& binary, std::size_t offset, bool retprobe = false,
                     pid_t pid = -1) const;
  // The same, at the function `function` of `binary` (its ELF symbol).
  link attach_uprobe(const std::string& binary, std::string_view function, bool retprobe = false,
                     pid_t pid = -1) const;
  link attach_trace() const;  // fentry/fexit/fmod_ret, on their SEC() target

 private:
  friend struct detail::access;
  explicit program(::bpf_program* prog) noexcept : prog_(prog) {}
  ::bpf_program* require() const;
  int require_fd(std::string_view operation) const;
  std::string describe() const;

  ::bpf_program* prog_ = nullptr;
};

}  // namespace bpfkit
