#include "elf_object.hpp"

#include <algorithm>

#include "bpfkit/coverage/instrument.hpp"

namespace bpfkit::coverage::detail {
namespace {

constexpr std::uint16_t machine_bpf = 247;  // EM_BPF, absent from older <elf.h>

[[noreturn]] void bad(const std::string &name, const std::string &what) {
  throw error(name + ": " + what);
}

std::size_t align_up(std::size_t value, std::uint64_t alignment) {
  if (alignment <= 1) return value;
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

std::string string_at(const elf_section &strtab, std::uint32_t offset) {
  if (offset >= strtab.data.size()) return {};
  const auto *begin = reinterpret_cast<const char *>(strtab.data.data()) + offset;
  return std::string(begin, strnlen(begin, strtab.data.size() - offset));
}

elf_object elf_object::parse(std::span<const std::byte> bytes, const std::string &name) {
  elf_object object;
  if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    bad(name, "not an ELF file");
  std::memcpy(&object.header_, bytes.data(), sizeof object.header_);
  const Elf64_Ehdr &h = object.header_;
  if (h.e_ident[EI_CLASS] != ELFCLASS64) bad(name, "not a 64-bit ELF object");
  if (h.e_machine != machine_bpf) bad(name, "not a BPF object (ELF machine " + std::to_string(h.e_machine) + ")");
  if (h.e_ident[EI_DATA] != ELFDATA2LSB)
    bad(name, "a big-endian BPF object (bpfeb): coverage supports little-endian objects only");
  if (h.e_type != ET_REL) bad(name, "not a relocatable BPF object (ELF type " + std::to_string(h.e_type) + ")");
  if (h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shnum == 0 || h.e_shstrndx == SHN_UNDEF ||
      h.e_shstrndx >= h.e_shnum)
    bad(name, "unsupported section header table layout");
  if (h.e_shoff > bytes.size() || (bytes.size() - h.e_shoff) / sizeof(Elf64_Shdr) < h.e_shnum)
    bad(name, "truncated section header table");

  object.sections.resize(h.e_shnum);
  for (std::size_t i = 0; i < h.e_shnum; ++i) {
    elf_section &s = object.sections[i];
    std::memcpy(&s.header, bytes.data() + h.e_shoff + i * sizeof(Elf64_Shdr), sizeof s.header);
    if (i == 0 || s.header.sh_type == SHT_NOBITS) continue;
    if (s.header.sh_offset > bytes.size() || s.header.sh_size > bytes.size() - s.header.sh_offset)
      bad(name, "section #" + std::to_string(i) + " lies outside the file");
    const auto *begin = reinterpret_cast<const std::uint8_t *>(bytes.data()) + s.header.sh_offset;
    s.data.assign(begin, begin + s.header.sh_size);
  }
  const elf_section &names = object.sections[h.e_shstrndx];
  for (elf_section &s : object.sections) s.name = string_at(names, s.header.sh_name);
  return object;
}

std::size_t elf_object::find(std::string_view wanted) const {
  for (std::size_t i = 1; i < sections.size(); ++i)
    if (sections[i].name == wanted) return i;
  return 0;
}

std::size_t elf_object::symtab() const {
  for (std::size_t i = 1; i < sections.size(); ++i)
    if (sections[i].header.sh_type == SHT_SYMTAB) return i;
  return 0;
}

std::size_t elf_object::add_section(std::string name, const Elf64_Shdr &header, std::vector<std::uint8_t> data) {
  elf_section &names = sections[header_.e_shstrndx];
  elf_section s;
  s.header = header;
  s.header.sh_name = static_cast<Elf64_Word>(names.data.size());
  names.data.insert(names.data.end(), name.begin(), name.end());
  names.data.push_back(0);
  names.header.sh_size = names.data.size();
  s.name = std::move(name);
  if (s.header.sh_type != SHT_NOBITS) s.header.sh_size = data.size();
  s.data = std::move(data);
  sections.push_back(std::move(s));
  return sections.size() - 1;
}

std::vector<std::byte> elf_object::serialize() const {
  std::vector<std::byte> out(sizeof(Elf64_Ehdr));
  std::vector<Elf64_Shdr> headers(sections.size());
  for (std::size_t i = 1; i < sections.size(); ++i) {
    const elf_section &s = sections[i];
    headers[i] = s.header;
    if (s.header.sh_type == SHT_NOBITS) {
      headers[i].sh_offset = out.size();
      continue;
    }
    out.resize(align_up(out.size(), s.header.sh_addralign));
    headers[i].sh_offset = out.size();
    headers[i].sh_size = s.data.size();
    const auto *begin = reinterpret_cast<const std::byte *>(s.data.data());
    out.insert(out.end(), begin, begin + s.data.size());
  }
  out.resize(align_up(out.size(), 8));
  Elf64_Ehdr h = header_;
  h.e_shoff = out.size();
  h.e_shnum = static_cast<Elf64_Half>(sections.size());
  h.e_phoff = 0;
  h.e_phnum = 0;
  const auto *table = reinterpret_cast<const std::byte *>(headers.data());
  out.insert(out.end(), table, table + headers.size() * sizeof(Elf64_Shdr));
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

}  // namespace bpfkit::coverage::detail
