#include "bpfkit/large_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace bpfkit::large_pages {

namespace {

constexpr std::size_t mib = std::size_t{1} << 20;
constexpr std::size_t large_page = 2 * mib;
constexpr std::size_t advised_heap = 64 * mib;

bool user_chose(const char *tunables) {
  return tunables && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr;
}

}  // namespace

void use_for_heap(threads mode) noexcept {
  if (user_chose(std::getenv("GLIBC_TUNABLES"))) return;
  if (mode == threads::shared_heap) mallopt(M_ARENA_MAX, 1);
  // Blocks as large as the kernel's BTF come from the heap, and what is
  // freed stays there for the next load.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(32 * mib));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(256 * mib));
  // One growth of the heap covers a process's usual needs; advising it once
  // is enough (a later growth is a new mapping, with 4 KiB pages).
  mallopt(M_TOP_PAD, static_cast<int>(advised_heap));
  auto *before = static_cast<char *>(sbrk(0));
  // More than the heap's free top at start-up, so that the heap grows now.
  void *grow = std::malloc(8 * mib);
  asm volatile("" : : "r"(grow) : "memory");  // kept: a compiler may drop malloc+free
  auto *after = static_cast<char *>(sbrk(0));
  const auto start = (reinterpret_cast<std::uintptr_t>(before) + large_page - 1) & ~(large_page - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(after);
  // EINVAL where the kernel has no transparent huge pages: nothing to do.
  if (before != reinterpret_cast<char *>(-1) && end > start)
    madvise(reinterpret_cast<void *>(start), end - start, MADV_HUGEPAGE);
  std::free(grow);
}

std::string tunables_for_child(const char *current) {
  if (user_chose(current)) return current;
  std::string value = current ? current : "";
  if (!value.empty()) value += ':';
  return value + "glibc.malloc.hugetlb=1";
}

}  // namespace bpfkit::large_pages
