// Whether this process may use BPF: the one probe that bpfkit's CLI, test
// runners and GoogleTest fixtures share.
#pragma once

#include <optional>
#include <string>

namespace bpfkit {

// The capabilities that decide what BPF a process may do, from its
// effective set.
struct bpf_capabilities {
  bool sys_admin = false;  // everything (and CAP_BPF's powers on any kernel)
  bool bpf = false;        // CAP_BPF (Linux 5.8+): load programs, create maps
  bool perfmon = false;    // CAP_PERFMON: tracing programs, pointer reads
  bool net_admin = false;  // CAP_NET_ADMIN: networking programs and attach points
};
// Nothing when the kernel will not say (capget failed).
std::optional<bpf_capabilities> effective_bpf_capabilities() noexcept;

// Empty when this process can load a BPF program and create a map (it tries
// the smallest XDP program and a one-entry array: what every BPF test needs
// at least, and never open to unprivileged users); else why not and how to
// fix it. Probed once per process.
const std::string& bpf_unavailable_reason();

// Whether the process holds CAP_BPF or CAP_SYS_ADMIN: what decides whether a
// refusal (EPERM) means "no privilege" or "this kernel does not allow it".
// (bpf_unavailable_reason() is the probe; this only reads capabilities.)
bool holds_bpf_capability() noexcept;

// The fix given with every "needs privileges" message.
extern const char* const privilege_hint;

}  // namespace bpfkit
