// What an object file says about its programs before anything is loaded:
// where each program's instructions lie in its ELF section, and which
// .BTF.ext records (CO-RE relocations, source line info) fall inside them.
//
// libbpf keeps .BTF.ext to itself, so this reads the ELF symbols with libelf
// and the .BTF.ext records from btf_ext__get_raw_data().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bpfkit::cli {

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
// Throws cli_error (exit 3) when the file cannot be read as ELF.
std::map<std::string, program_layout> read_program_layouts(const std::string &path);

}  // namespace bpfkit::cli
