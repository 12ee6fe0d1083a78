// What an object file says about its programs before anything is loaded:
// where each program's instructions lie in its ELF section, and which
// .BTF.ext records (CO-RE relocations, source line info) fall inside them.
//
// libbpf keeps .BTF.ext to itself, so this reads the ELF symbols with libelf
// and the .BTF.ext records from btf_ext__get_raw_data().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "bpfkit/verifier_log.hpp"

namespace bpfkit {

struct source_line {
  std::uint32_t insn = 0;  // instruction index (8-byte slots) from the program's start
  std::string file;        // as recorded in BTF
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string text;        // the source line, as the compiler recorded it
};

struct program_layout {
  std::string name;
  std::string section;
  std::uint32_t first_insn = 0;  // in the section
  std::uint32_t insn_count = 0;
  std::size_t core_relos = 0;        // .BTF.ext CO-RE relocation records in the program's range
  std::vector<source_line> lines;    // .BTF.ext line info in the program's range, by insn
};

// The entry-point programs of the object at `path` (functions in executable
// sections other than .text), keyed by name. Relocations and lines of
// subprograms in .text are not attributed to the programs that call them.
// Throws std::runtime_error naming the file when it cannot be read as ELF.
std::map<std::string, program_layout> read_program_layouts(const std::string &path);
// The same for an object in memory (a skeleton's embedded ELF).
std::map<std::string, program_layout> read_program_layouts(std::span<const std::byte> elf,
                                                           const std::string &name);

// Completes where a verifier failure happened from the object's line info:
// the kernel prints only a file's base name ("@ prog.bpf.c:12"), and kernels
// before 6.x print no location at all, but .BTF.ext has the full path and the
// line of every main-program instruction. `layout` may be null.
void locate_source(verifier_failure &failure, const program_layout *layout);

}  // namespace bpfkit
