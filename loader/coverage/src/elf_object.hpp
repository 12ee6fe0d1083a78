// A BPF relocatable ELF object held as editable sections, and written back.
//
// The instrumenter grows code sections and adds sections, symbols and
// relocations; libelf would do this through a file descriptor, and a BPF
// object is simple enough (ET_REL, no program headers, no dynamic tables) to
// rebuild by hand: sections keep their indices and names, new ones are
// appended, and the file offsets are recomputed on write.
#pragma once

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::coverage::detail {

struct elf_section {
  std::string name;
  Elf64_Shdr header{};
  std::vector<std::uint8_t> data;  // empty for SHT_NOBITS (header.sh_size is its size)
};

class elf_object {
 public:
  // Throws coverage::error naming `name` when `bytes` is not a 64-bit
  // little-endian BPF relocatable object.
  static elf_object parse(std::span<const std::byte> bytes, const std::string &name);
  std::vector<std::byte> serialize() const;

  // Index of the section called `name`, 0 when there is none.
  std::size_t find(std::string_view name) const;
  // The symbol table's index (0 when there is none).
  std::size_t symtab() const;
  // Appends a section (its name goes into the section name table) and
  // returns its index.
  std::size_t add_section(std::string name, const Elf64_Shdr &header, std::vector<std::uint8_t> data);

  std::vector<elf_section> sections;  // [0] is the null section

 private:
  Elf64_Ehdr header_{};
};

// Typed views over section bytes (copies: section data has no alignment
// guarantee in a std::vector<uint8_t>).
template <class T>
std::vector<T> read_table(const elf_section &section) {
  std::vector<T> table(section.data.size() / sizeof(T));
  if (!table.empty()) std::memcpy(table.data(), section.data.data(), table.size() * sizeof(T));
  return table;
}
template <class T>
void write_table(elf_section &section, const std::vector<T> &table) {
  section.data.resize(table.size() * sizeof(T));
  if (!table.empty()) std::memcpy(section.data.data(), table.data(), section.data.size());
  section.header.sh_size = section.data.size();
}

// A NUL-terminated string of a string table section, "" when out of range.
std::string string_at(const elf_section &strtab, std::uint32_t offset);

}  // namespace bpfkit::coverage::detail
