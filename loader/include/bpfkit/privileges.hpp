// Whether this process may use BPF: the one probe that bpfkit's CLI, test
// runners and GoogleTest fixtures share.
#pragma once

#include <string>

namespace bpfkit {

// Empty when this process can load a BPF program and create a map (it tries
// the smallest XDP program and a one-entry array: what every BPF test needs
// at least, and never open to unprivileged users); else why not and how to
// fix it. Probed once per process.
const std::string& bpf_unavailable_reason();

// Whether the process holds CAP_BPF or CAP_SYS_ADMIN: what decides whether a
// refusal (EPERM) means "no privilege" or "this kernel does not allow it".
bool holds_bpf_capability() noexcept;

// The fix given with every "needs privileges" message.
extern const char* const privilege_hint;

}  // namespace bpfkit
