// The privilege probe: whether this process may load BPF, and why not.
#include "bpfkit/privileges.hpp"

#include <bpf/bpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "bpfkit/error.hpp"

namespace bpfkit {

const char* const privilege_hint =
    "run as root, or with CAP_BPF plus CAP_PERFMON (tracing) or CAP_NET_ADMIN (networking)";

namespace {

std::string errno_text(int err) {
  return error_category().message(err) + " (errno " + std::to_string(err) + ")";
}

// Loads the smallest XDP program and creates a one-entry array map: what
// every BPF test needs at least (XDP, unlike socket filters, is never open to
// unprivileged users, so this cannot pass where the real tests would not).
std::string probe() {
  const bpf_insn program[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2},  // r0 = XDP_PASS
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "bpfkit_probe", "GPL", program, 2, nullptr);
  int prog_err = errno;
  if (prog >= 0) ::close(prog);
  int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfkit_probe", 4, 8, 1, nullptr);
  int map_err = errno;
  if (map >= 0) ::close(map);
  if (prog >= 0 && map >= 0) return {};

  const int err = prog < 0 ? prog_err : map_err;
  const std::string what = prog < 0 ? "loading a BPF program" : "creating a BPF map";
  if (err == EPERM || err == EACCES)
    return "BPF is not available to this process: " + what + " failed with " + errno_text(err) +
           ". Loading BPF programs needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN "
           "(run the tests as root, e.g. sudo ctest).";
  return "BPF is not available on this machine: " + what + " failed with " + errno_text(err) +
         (err == ENOSYS ? ". The kernel was built without CONFIG_BPF_SYSCALL." : ".");
}

}  // namespace

const std::string& bpf_unavailable_reason() {
  static const std::string reason = probe();
  return reason;
}

std::optional<bpf_capabilities> effective_bpf_capabilities() noexcept {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, caps) != 0) return std::nullopt;
  auto has = [&](int cap) { return ((caps[cap / 32].effective >> (cap % 32)) & 1) != 0; };
  // Older headers may not name CAP_PERFMON (38) and CAP_BPF (39).
  constexpr int cap_perfmon = 38, cap_bpf = 39;
  return bpf_capabilities{has(CAP_SYS_ADMIN), has(cap_bpf), has(cap_perfmon), has(CAP_NET_ADMIN)};
}

bool holds_bpf_capability() noexcept {
  const std::optional<bpf_capabilities> caps = effective_bpf_capabilities();
  return caps && (caps->sys_admin || caps->bpf);
}

}  // namespace bpfkit
