// What the link step needs to know about one BPF object file: its sections
// and symbols, read once with libelf. Reading also establishes that the file
// is a BPF ELF object at all, because nothing else can be inspected further.
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
  std::vector<elf_section> sections;  // indexed by ELF section number
  std::vector<elf_symbol> symbols;    // .symtab order, without the null symbol

  bool has_section(std::string_view name) const;
  // The section a defined symbol lives in; nullptr for undefined/special ones.
  const elf_section *section_of(const elf_symbol &symbol) const;
};

// Reads `path`. Throws tool_error naming the file when it cannot be read or is
// not a relocatable BPF ELF object of the host's byte order.
elf_object read_bpf_object(const std::string &path);

}  // namespace bpfkit::link
