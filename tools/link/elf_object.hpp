// What the link step needs to know about one BPF object file: its bytes
// (checked by bpfkit::object_check before anything parses them), its
// sections and its symbols. Reading establishes that the file is a
// well-formed BPF ELF object, because nothing else can be inspected further.
#pragma once

#include <gelf.h>

#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::link {

struct elf_section {
  std::string name;
  GElf_Word type = 0;
  GElf_Xword flags = 0;
  GElf_Word info = 0;  // for relocation sections: the section they relocate
  GElf_Off offset = 0;
  GElf_Xword size = 0;
  GElf_Xword align = 0;  // sh_addralign: a power of two or 0 (object_check)
};

struct elf_symbol {
  std::string name;
  unsigned char type = STT_NOTYPE;   // STT_FUNC, STT_OBJECT, ...
  unsigned char bind = STB_LOCAL;    // STB_GLOBAL, STB_WEAK, ...
  GElf_Section section_index = SHN_UNDEF;

  bool defined() const { return section_index != SHN_UNDEF && section_index < SHN_LORESERVE; }
};

struct elf_object {
  std::string path;
  std::string bytes;                  // the file's content, as checked
  bool big_endian = false;
  std::vector<elf_section> sections;  // indexed by ELF section number
  std::vector<elf_symbol> symbols;    // .symtab order, without the null symbol

  bool has_section(std::string_view name) const;
  // The content of the first section named `name`; empty when there is none.
  std::string_view section_data(std::string_view name) const;
  // The section a defined symbol lives in; nullptr for undefined/special ones.
  const elf_section *section_of(const elf_symbol &symbol) const;
};

// Reads `path`. Throws tool_error naming the file when it cannot be read
// (missing, not a regular file, too large) or is not a well-formed
// relocatable BPF ELF object ("malformed ELF: ...", "malformed BTF: ...").
elf_object read_bpf_object(const std::string &path);

// The same for an object already in memory (the linked output); `path`
// names it in messages.
elf_object parse_bpf_object(const std::string &path, std::string bytes);

}  // namespace bpfkit::link
