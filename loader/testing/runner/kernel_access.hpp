// What a BPF test needs from the machine before it can run: bpffs, and the
// privilege to load programs. Without the privilege tests are skipped, not
// failed, so these checks must be precise.
#pragma once

#include <string>

namespace bpfkit::testing {

// Whether this process may load BPF programs (tries a trivial one).
bool can_load_bpf();
// Why not, and how to fix it, for the skip message.
std::string missing_privilege_reason();

// Mounts bpffs at /sys/fs/bpf when nothing is mounted there. Returns an
// empty string on success, else the reason.
std::string ensure_bpffs();

// Where the GoogleTest fixtures of bpfkit::testing make private pin
// directories: <root>/<pid>-<test>.
constexpr const char *pin_root = "/sys/fs/bpf/bpfkit-test";

// Removes pin directories under pin_root whose process is gone (a test that
// was killed by a timeout cannot clean up itself). Returns how many.
int remove_stale_pin_dirs();

}  // namespace bpfkit::testing
