// What a BPF test needs from the machine: the privilege to load BPF (else the
// test is skipped with the reason), and a private pin directory on bpffs.
#pragma once

#include <string>
#include <string_view>

#include "bpfkit/testing/pins.hpp"

namespace bpfkit::testing {

// Empty when this process can load a BPF program and create a map; else why
// not and how to fix it (bpfkit::bpf_unavailable_reason, the runtime's one
// probe). Probed once per process.
const std::string& bpf_unavailable_reason();
// Empty when this process can create a network namespace (what veth_pair
// needs: CAP_SYS_ADMIN and CAP_NET_ADMIN); else why not. Probed once.
const std::string& netns_unavailable_reason();

// When BPF cannot be loaded, marks the running test skipped (GTEST_SKIP) with
// the reason and returns false. A skip recorded from a helper does not leave
// the test body: return when it says false, or use BPFKIT_REQUIRE_BPF().
bool require_bpf();
// The same for network namespaces (veth_pair); implies require_bpf().
bool require_netns();

// A private directory on bpffs, <pin_root>/<pid>-<name>, made on first use
// and removed with everything pinned in it on destruction (unpinning what was
// pinned: maps and programs pinned only there go away, pinned links detach).
// bpffs refuses names containing '.', so '.' in `name` becomes '-'; '/' and
// other characters that do not belong in a file name become '_'.
class pin_directory {
 public:
  explicit pin_directory(std::string_view name);
  ~pin_directory();
  pin_directory(const pin_directory&) = delete;
  pin_directory& operator=(const pin_directory&) = delete;

  // The directory, created (with pin_root) on the first call. Throws
  // bpfkit::error when bpffs is missing or the directory cannot be made.
  const std::string& path();
  // path() + "/" + name. Throws bpfkit::error (EINVAL) for a name bpffs
  // would refuse (one containing '.') or one with a '/'.
  std::string path(std::string_view name);
  bool created() const noexcept { return created_; }
  // Removes the directory and its contents now; path() makes it again.
  void remove() noexcept;

 private:
  std::string path_;
  bool created_ = false;
};

}  // namespace bpfkit::testing

// In a test body or SetUp(): skips the test, with the reason, and returns
// when BPF cannot be loaded.
#define BPFKIT_REQUIRE_BPF()                              \
  do {                                                    \
    if (!::bpfkit::testing::require_bpf()) return;        \
  } while (0)
#define BPFKIT_REQUIRE_NETNS()                            \
  do {                                                    \
    if (!::bpfkit::testing::require_netns()) return;      \
  } while (0)
