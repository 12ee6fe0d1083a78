// Where BPF tests pin, and how what killed tests left there is removed.
#pragma once

#include <string>

#include "bpfkit/pin_path.hpp"

namespace bpfkit::testing {

// The GoogleTest fixtures make private pin directories <pin_root>/<pid>-<test>
// (pin_directory); `bpfkit-test --cleanup` (ctest's bpfkit.cleanup) removes
// those whose process is gone.
inline constexpr const char* pin_root = "/sys/fs/bpf/bpfkit-test";

// Mounts bpffs at /sys/fs/bpf when nothing is mounted there. Returns an
// empty string on success, else the reason and the fix.
std::string ensure_bpffs();

// The pin root this process uses: $BPFKIT_TEST_PIN_ROOT when set (the tests
// of the fixtures themselves use it, so as not to touch the real one), else
// pin_root.
std::string current_pin_root();

// Opens the pin root, made (mode 0755) when missing and `create` is set.
// bpffs is often mode 1777, so anyone may have put something there first: a
// symlink, a directory of their own or one others may write to is refused
// (bpfkit::open_owned_pin_root throws bpfkit::pin_path_error, saying which).
// Without `create`, a missing root gives an empty dir_fd.
dir_fd open_pin_root(bool create);

// Removes the pin directories under the pin root whose process is gone (a
// test killed by a timeout cannot clean up itself), then the root when
// empty, never following a symlink. Returns how many it removed. Throws
// bpfkit::pin_path_error when the root is not what bpfkit made.
int remove_stale_pin_dirs();

}  // namespace bpfkit::testing
