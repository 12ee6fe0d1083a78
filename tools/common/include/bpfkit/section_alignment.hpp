// The largest alignment bpfkit's tools accept for a section of a BPF object.
// libbpf's linker keeps each section's alignment and libelf lays a written
// object out by it, so a larger one is written out as that much padding:
// aligned(1 << 30) on one global makes a 1 GiB object, aligned(1ULL << 50)
// a write that never ends. clang aligns BPF sections to at most 8 bytes;
// only aligned(N) on a global (or on its type) raises one. bpfkit-check
// refuses such a C++ global at its source line, before rewriting the object;
// bpfkit-link refuses such a section in any input.
#pragma once

#include <cstdint>
#include <string>

namespace bpfkit {

inline constexpr std::uint64_t max_section_alignment = 4096;

// The fix both tools suggest.
inline std::string section_alignment_hint() {
  return "align BPF globals to at most " + std::to_string(max_section_alignment) +
         " bytes (__attribute__((aligned(N))))";
}

}  // namespace bpfkit
