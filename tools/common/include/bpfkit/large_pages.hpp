// Large pages for the heap of bpfkit's own programs, and for the compilers
// they run.
//
// Touching fresh anonymous memory costs a page fault per 4 KiB page, and
// under some hypervisors (PVM, shadow paging) a fault costs tens of
// microseconds. bpfkit's programs touch much of it: libbpf reads and
// indexes the kernel's BTF (5 MiB raw, ~20 MiB of memory) for every object
// it loads, and clang builds its AST from vmlinux.h. Measured here
// (docs/performance.md): loading a CO-RE object again in one process took
// 150 to 250 ms with glibc's defaults and 20 to 35 ms with the heap below.
//
//   int main(int argc, char **argv) {
//     bpfkit::large_pages::use_for_heap();  // first thing, before threads
//     ...
//
// Where the user set glibc.malloc.hugetlb in GLIBC_TUNABLES, the heap is
// left as glibc makes it. Where the system keeps large pages off
// (transparent_hugepage=never), the advice has no effect and freed memory
// is still kept.
#pragma once

#include <string>

namespace bpfkit::large_pages {

enum class threads {
  own_arenas,   // glibc's default: an arena per thread (a user's test program)
  shared_heap,  // every thread allocates from the advised heap (a server)
};

// Keeps freed memory for the next allocation instead of returning it (a
// second object load touches no fresh pages), and advises large pages for
// the first 64 MiB of heap. Call before the program starts threads.
void use_for_heap(threads mode = threads::own_arenas) noexcept;

// GLIBC_TUNABLES for a program this one runs (a compiler): `current` (the
// variable's value, or nullptr) with glibc.malloc.hugetlb=1 added, which
// makes glibc advise large pages for its heap itself; `current` as it is
// when it already sets glibc.malloc.hugetlb.
std::string tunables_for_child(const char *current);

}  // namespace bpfkit::large_pages
