// Where BPF tests pin, and how what killed tests left there is removed.
#pragma once

#include <string>

namespace bpfkit::testing {

// The GoogleTest fixtures make private pin directories <pin_root>/<pid>-<test>
// (pin_directory); `bpfkit-test --cleanup` (ctest's bpfkit.cleanup) removes
// those whose process is gone.
inline constexpr const char* pin_root = "/sys/fs/bpf/bpfkit-test";

// Mounts bpffs at /sys/fs/bpf when nothing is mounted there. Returns an
// empty string on success, else the reason and the fix.
std::string ensure_bpffs();

// Removes the pin directories under pin_root whose process is gone (a test
// killed by a timeout cannot clean up itself), then pin_root when empty.
// Returns how many it removed.
int remove_stale_pin_dirs();

}  // namespace bpfkit::testing
