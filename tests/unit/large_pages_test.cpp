// bpfkit::large_pages (tools/common): the heap policy of bpfkit's programs
// and the environment bpfkit-cc gives the compiler.
#include "bpfkit/large_pages.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

using bpfkit::large_pages::tunables_for_child;
using bpfkit::large_pages::use_for_heap;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool glibc_malloc = false;  // ASan's allocator replaces glibc's heap
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool glibc_malloc = false;
#else
constexpr bool glibc_malloc = true;
#endif
#else
constexpr bool glibc_malloc = true;
#endif

// A kernel's BTF is about this large: glibc's default puts such a block in a
// fresh mapping of its own, returned to the kernel when freed.
constexpr std::size_t btf_sized = std::size_t{6} << 20;

// The VmFlags line of /proc/self/smaps for the mapping holding `address`.
std::string vm_flags_of(const void *address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (line.starts_with("VmFlags:")) {
      if (inside) return line;
    } else if (line.find(':') > line.find(' ') && range >> std::hex >> start >> dash >> end && dash == '-') {
      inside = start <= at && at < end;  // a mapping's first line: "start-end perms ..."
    }
  }
  return {};
}

bool kernel_has_thp() { return std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good(); }

// Runs `check` in a child process (the heap policy is the whole process's)
// and returns its exit code; 0 is a pass, the bits say what failed.
int in_child(const std::function<int()> &check) {
  const pid_t pid = fork();
  if (pid == 0) _exit(check());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(LargePages, TunablesForChildAddHugetlb) {
  EXPECT_EQ(tunables_for_child(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_for_child(""), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_for_child("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
}

TEST(LargePages, TunablesForChildKeepTheUsersChoice) {
  EXPECT_EQ(tunables_for_child("glibc.malloc.hugetlb=0"), "glibc.malloc.hugetlb=0");
  EXPECT_EQ(tunables_for_child("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2");
}

TEST(LargePages, HeapKeepsLargeBlocksAndIsAdvised) {
  if (!glibc_malloc) GTEST_SKIP() << "built with ASan, whose allocator replaces glibc's heap";
  const bool thp = kernel_has_thp();
  const int failed = in_child([thp] {
    unsetenv("GLIBC_TUNABLES");
    use_for_heap();
    auto *block = static_cast<char *>(std::malloc(btf_sized));
    std::memset(block, 1, btf_sized);
    int bits = 0;
    if (block + btf_sized > static_cast<char *>(sbrk(0))) bits |= 1;  // not from the heap
    // The heap's first large-page boundary may fall inside the block: its
    // end is in the advised part.
    if (thp && vm_flags_of(block + btf_sized - 1).find(" hg") == std::string::npos) bits |= 2;
    const auto first = reinterpret_cast<std::uintptr_t>(block);
    std::free(block);
    auto *again = static_cast<char *>(std::malloc(btf_sized));
    if (reinterpret_cast<std::uintptr_t>(again) != first) bits |= 4;  // the freed memory was not kept
    std::free(again);
    return bits;
  });
  EXPECT_EQ(failed & 1, 0) << "a 6 MiB block did not come from the heap";
  EXPECT_EQ(failed & 2, 0) << "the heap is not advised for large pages";
  EXPECT_EQ(failed & 4, 0) << "a freed 6 MiB block was not reused";
  EXPECT_LT(failed, 8) << "the child died: " << failed;
}

TEST(LargePages, HeapLeftAloneWhenTheUserChose) {
  if (!glibc_malloc) GTEST_SKIP() << "built with ASan, whose allocator replaces glibc's heap";
  const int failed = in_child([] {
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
    use_for_heap();
    auto *block = static_cast<char *>(std::malloc(btf_sized));
    // glibc's default: a mapping of its own, far from the heap's break.
    const bool from_heap =
        reinterpret_cast<std::uintptr_t>(block) + btf_sized <= reinterpret_cast<std::uintptr_t>(sbrk(0));
    std::free(block);
    return from_heap ? 1 : 0;
  });
  EXPECT_EQ(failed, 0) << "use_for_heap() changed the heap although GLIBC_TUNABLES chose";
}

}  // namespace
