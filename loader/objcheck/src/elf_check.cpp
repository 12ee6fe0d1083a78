// Checks of the ELF container (any ELF file) and of what a BPF object keeps
// in it: symbols, relocations, instructions, .BTF and .BTF.ext.
#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <string>
#include <string_view>
#include <vector>

#include "btf_model.hpp"
#include "bytes.hpp"

#ifndef EM_BPF
#define EM_BPF 247
#endif

namespace bpfkit::object_check {
namespace detail {
namespace {

problem elf_problem(std::string detail) { return {part::elf, std::move(detail)}; }
problem not_bpf(std::string detail) { return {part::not_bpf_object, std::move(detail)}; }

std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "x86 (32-bit)";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC 64";
    case EM_PPC: return "PowerPC";
    case EM_S390: return "s390";
    case EM_MIPS: return "MIPS";
    case EM_SPARCV9: return "SPARC v9";
    case 258: return "LoongArch";  // EM_LOONGARCH, newer than some elf.h
    case EM_NONE: return "no machine";
    default: return "machine " + std::to_string(machine);
  }
}

struct section {
  std::uint32_t name_off = 0;
  std::uint32_t type = SHT_NULL;
  std::uint64_t flags = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint32_t link = 0;
  std::uint32_t info = 0;
  std::uint64_t align = 0;
  std::uint64_t entsize = 0;
  std::string_view name;  // empty when the file has no section names
};

// An ELF file's header and section table, read and bounds-checked.
struct elf_file {
  byte_view bytes;
  bool is64 = true;
  std::uint16_t type = 0;
  std::uint16_t machine = 0;
  std::uint64_t section_table = 0;
  std::vector<section> sections;
  std::size_t names_index = 0;  // 0: no section names

  std::string describe(std::size_t index) const {
    std::string text = "section [" + std::to_string(index) + "]";
    if (!sections[index].name.empty()) text += " " + quote(sections[index].name);
    return text;
  }
  // Empty for a section whose bytes are not all in the file: the structure
  // check bounds only sections that have content (not SHT_NULL/SHT_NOBITS).
  std::span<const std::byte> content(const section &s) const {
    if (!bytes.fits(s.offset, s.size)) return {};
    return bytes.bytes().subspan(s.offset, s.size);
  }
};

bool power_of_two_or_zero(std::uint64_t v) { return (v & (v - 1)) == 0; }

section read_section(const byte_view &bytes, std::uint64_t at, bool is64) {
  section s;
  s.name_off = bytes.u32(at);
  s.type = bytes.u32(at + 4);
  if (is64) {
    s.flags = bytes.u64(at + 8);
    s.offset = bytes.u64(at + 24);
    s.size = bytes.u64(at + 32);
    s.link = bytes.u32(at + 40);
    s.info = bytes.u32(at + 44);
    s.align = bytes.u64(at + 48);
    s.entsize = bytes.u64(at + 56);
  } else {
    s.flags = bytes.u32(at + 8);
    s.offset = bytes.u32(at + 16);
    s.size = bytes.u32(at + 20);
    s.link = bytes.u32(at + 24);
    s.info = bytes.u32(at + 28);
    s.align = bytes.u32(at + 32);
    s.entsize = bytes.u32(at + 36);
  }
  return s;
}

// A string table section usable by elf_strptr(): inside the file, ending in NUL.
result check_string_table(const elf_file &elf, std::size_t index, const char *role) {
  const section &s = elf.sections[index];
  if (s.type != SHT_STRTAB)
    return elf_problem(elf.describe(index) + ", the " + role + ", is not a string table (type " +
                       std::to_string(s.type) + ")");
  if (s.size == 0 || static_cast<std::uint8_t>(elf.content(s).back()) != 0)
    return elf_problem(elf.describe(index) + ", the " + role + ", does not end with a NUL byte");
  return std::nullopt;
}

// No byte of the file belongs to two things: the ELF header, the section
// header table and each section's content are disjoint in every object a
// compiler or linker writes, and the link step rewrites them in place (the
// byte order of a big-endian object), so an overlap would corrupt one with
// the other.
result check_no_overlap(const elf_file &elf, std::uint64_t header_size, std::uint64_t table_size) {
  // A region is the ELF header, the section header table or a section's content.
  struct region {
    std::uint64_t begin, end;
    std::size_t section;  // its index, or one of the two below
  };
  constexpr std::size_t elf_header = SIZE_MAX, header_table = SIZE_MAX - 1;
  std::vector<region> regions{{0, header_size, elf_header},
                              {elf.section_table, elf.section_table + table_size, header_table}};
  for (std::size_t i = 0; i < elf.sections.size(); ++i) {
    const section &s = elf.sections[i];
    if (s.type != SHT_NOBITS && s.type != SHT_NULL && s.size != 0)
      regions.push_back({s.offset, s.offset + s.size, i});
  }
  std::sort(regions.begin(), regions.end(), [](const region &a, const region &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  auto describe = [&](const region &r) {
    const std::string what = r.section == elf_header     ? "the ELF header"
                             : r.section == header_table ? "the section header table"
                                                         : elf.describe(r.section);
    return what + " (offset " + std::to_string(r.begin) + ", " + std::to_string(r.end - r.begin) +
           " bytes)";
  };
  for (std::size_t i = 1; i < regions.size(); ++i)
    if (regions[i].begin < regions[i - 1].end)
      return elf_problem(describe(regions[i]) + " overlaps " + describe(regions[i - 1]));
  return std::nullopt;
}

result read_elf(std::span<const std::byte> raw, elf_file &elf) {
  constexpr unsigned char magic[4] = {0x7f, 'E', 'L', 'F'};
  if (raw.size() < EI_NIDENT || std::memcmp(raw.data(), magic, 4) != 0)
    return not_bpf("not an ELF file");
  const auto cls = static_cast<std::uint8_t>(raw[EI_CLASS]);
  const auto data = static_cast<std::uint8_t>(raw[EI_DATA]);
  if (cls != ELFCLASS64 && cls != ELFCLASS32)
    return elf_problem("unknown ELF class " + std::to_string(cls));
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return elf_problem("unknown ELF byte order " + std::to_string(data));
  if (static_cast<std::uint8_t>(raw[EI_VERSION]) != EV_CURRENT)
    return elf_problem("unknown ELF version " + std::to_string(static_cast<int>(raw[EI_VERSION])));
  elf.is64 = cls == ELFCLASS64;
  elf.bytes = byte_view(raw, data == ELFDATA2MSB);
  const byte_view &b = elf.bytes;
  const std::size_t header_size = elf.is64 ? 64 : 52;
  if (!b.fits(0, header_size))
    return elf_problem("the file (" + std::to_string(raw.size()) + " bytes) is shorter than an ELF header");
  elf.type = b.u16(16);
  elf.machine = b.u16(18);
  const std::uint64_t shoff = elf.is64 ? b.u64(40) : b.u32(32);
  const std::uint16_t shentsize = b.u16(elf.is64 ? 58 : 46);
  std::uint64_t count = b.u16(elf.is64 ? 60 : 48);
  std::uint32_t names = b.u16(elf.is64 ? 62 : 50);
  const std::uint16_t entry_size = elf.is64 ? 64 : 40;
  elf.section_table = shoff;
  if (shoff == 0) {
    if (count != 0 || names != SHN_UNDEF)
      return elf_problem("sections are counted, but there is no section header table");
    return std::nullopt;
  }
  if (shentsize != entry_size)
    return elf_problem("section headers of " + std::to_string(shentsize) + " bytes, expected " +
                       std::to_string(entry_size));
  // Section 0 holds the real count and string table index when they do not
  // fit the header (extended numbering).
  if (!b.fits(shoff, entry_size))
    return elf_problem("the section header table at offset " + std::to_string(shoff) +
                       " lies outside the file");
  const section first = read_section(b, shoff, elf.is64);
  if (count == 0) count = first.size;
  if (names == SHN_XINDEX) names = first.link;
  if (count == 0) return elf_problem("the section header table has no entries");
  if (count > raw.size() / entry_size || !b.fits(shoff, count * entry_size))
    return elf_problem(std::to_string(count) + " section headers at offset " +
                       std::to_string(shoff) + " run past the end of the file (" +
                       std::to_string(raw.size()) + " bytes)");
  // Section 0 is reserved: all zero but for the extended numbering fields.
  if (first.type != SHT_NULL || first.flags != 0 || first.offset != 0 || first.entsize != 0) {
    char fields[96];
    std::snprintf(fields, sizeof fields, "type %u, flags %#llx, offset %#llx, entry size %llu", first.type,
                  static_cast<unsigned long long>(first.flags), static_cast<unsigned long long>(first.offset),
                  static_cast<unsigned long long>(first.entsize));
    return elf_problem(std::string("section [0] is not the reserved null section (") + fields + ")");
  }
  elf.sections.resize(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    section &s = elf.sections[i];
    s = read_section(b, shoff + i * entry_size, elf.is64);
    if (s.type != SHT_NOBITS && s.type != SHT_NULL && !b.fits(s.offset, s.size))
      return elf_problem("section [" + std::to_string(i) + "] (offset " + std::to_string(s.offset) +
                         ", " + std::to_string(s.size) + " bytes) runs past the end of the file (" +
                         std::to_string(raw.size()) + " bytes)");
    if (!power_of_two_or_zero(s.align))
      return elf_problem("section [" + std::to_string(i) + "] has the alignment " +
                         std::to_string(s.align) + ", not a power of two");
  }
  if (names != SHN_UNDEF) {
    if (names >= count)
      return elf_problem("the section name table is section [" + std::to_string(names) +
                         "], but there are " + std::to_string(count) + " sections");
    elf.names_index = names;
    if (auto p = check_string_table(elf, names, "section name table")) return p;
    const section &table = elf.sections[names];
    const auto *strings = reinterpret_cast<const char *>(elf.content(table).data());
    for (std::size_t i = 0; i < count; ++i) {
      section &s = elf.sections[i];
      if (s.name_off >= table.size)
        return elf_problem("section [" + std::to_string(i) + "] has its name at offset " +
                           std::to_string(s.name_off) + ", past the end of the section name table");
      s.name = std::string_view(strings + s.name_off);
    }
  }
  if (auto p = check_no_overlap(elf, header_size, count * entry_size)) return p;
  // Compressed content (SHF_COMPRESSED) is read as it is by libelf and
  // libbpf: only DWARF, which nothing here reads, may be compressed (-gz).
  for (std::size_t i = 0; i < count; ++i) {
    const section &s = elf.sections[i];
    const bool dwarf = s.type == SHT_PROGBITS && !(s.flags & SHF_ALLOC) && s.name.starts_with(".debug");
    if ((s.flags & SHF_COMPRESSED) && !dwarf)
      return elf_problem(elf.describe(i) + " is compressed (SHF_COMPRESSED); only DWARF (.debug_*) sections may be");
  }
  // Tables of fixed-size entries must hold whole entries of the right size.
  for (std::size_t i = 0; i < count; ++i) {
    const section &s = elf.sections[i];
    std::uint64_t expected = 0;
    if (s.type == SHT_SYMTAB || s.type == SHT_DYNSYM) expected = elf.is64 ? 24 : 16;
    else if (s.type == SHT_REL) expected = elf.is64 ? 16 : 8;
    else if (s.type == SHT_RELA) expected = elf.is64 ? 24 : 12;
    if (expected == 0) continue;
    if (s.entsize != expected || s.size % expected != 0)
      return elf_problem(elf.describe(i) + " has entries of " + std::to_string(s.entsize) +
                         " bytes and a size of " + std::to_string(s.size) + " bytes; expected whole " +
                         std::to_string(expected) + "-byte entries");
    if (s.link == 0 || s.link >= count)
      return elf_problem(elf.describe(i) + " links to section [" + std::to_string(s.link) +
                         "], which does not exist");
  }
  return std::nullopt;
}

// What check_bpf_object() learns about the symbol table.
struct symbol_table {
  std::size_t index = 0;  // of the SHT_SYMTAB section; 0 when there is none
  std::uint64_t count = 0;
};

result check_symbols(const elf_file &elf, symbol_table &symbols) {
  for (std::size_t i = 1; i < elf.sections.size(); ++i) {
    if (elf.sections[i].type != SHT_SYMTAB) continue;
    if (symbols.index)
      return elf_problem("two symbol tables, " + elf.describe(symbols.index) + " and " +
                         elf.describe(i));
    symbols.index = i;
  }
  if (!symbols.index) return std::nullopt;
  const section &table = elf.sections[symbols.index];
  if (table.offset % 8 != 0)
    return elf_problem(elf.describe(symbols.index) + " starts at offset " +
                       std::to_string(table.offset) + ", not a multiple of 8");
  if (auto p = check_string_table(elf, table.link, "symbol name table")) return p;
  const section &names = elf.sections[table.link];
  symbols.count = table.size / 24;
  if (table.info > symbols.count)
    return elf_problem(elf.describe(symbols.index) + " says its first global symbol is " +
                       std::to_string(table.info) + ", but it has " + std::to_string(symbols.count));
  const byte_view entries = elf.bytes.sub(table.offset, table.size);
  for (std::uint64_t i = 0; i < symbols.count; ++i) {
    const std::size_t at = i * 24;
    const std::uint32_t name = entries.u32(at);
    const std::uint8_t info = entries.u8(at + 4);
    const std::uint16_t index = entries.u16(at + 6);
    const std::uint64_t value = entries.u64(at + 8), size = entries.u64(at + 16);
    // Built only for a message: objects have thousands of symbols.
    const auto symbol = [i] { return "symbol " + std::to_string(i); };
    if (name >= names.size)
      return elf_problem(symbol() + " has its name at offset " + std::to_string(name) +
                         ", past the end of the symbol name table");
    if (index == SHN_XINDEX)
      return elf_problem(symbol() + " uses an extended section index, which BPF objects never need");
    // Of the reserved indices only these two mean something in an object;
    // libbpf's linker indexes its sections with any other (SIGSEGV).
    if (index >= SHN_LORESERVE && index != SHN_ABS && index != SHN_COMMON) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%#06x", index);
      return elf_problem(symbol() + " has the reserved section index " + hex +
                         ", which is neither SHN_ABS nor SHN_COMMON");
    }
    const unsigned type = ELF64_ST_TYPE(info);
    // A section symbol stands for its section: libbpf's linker looks it up.
    if (type == STT_SECTION && (index == SHN_UNDEF || index >= SHN_LORESERVE))
      return elf_problem(symbol() + " is a section symbol that names no section");
    if (index == SHN_UNDEF || index >= SHN_LORESERVE) continue;  // undefined, absolute, common
    if (index >= elf.sections.size())
      return elf_problem(symbol() + " is defined in section [" + std::to_string(index) +
                         "], but there are " + std::to_string(elf.sections.size()) + " sections");
    const section &home = elf.sections[index];
    if (type != STT_FUNC && type != STT_OBJECT) continue;
    if (value > home.size || size > home.size - value)
      return elf_problem(symbol() + " (" + std::to_string(size) + " bytes at offset " +
                         std::to_string(value) + ") lies outside " + elf.describe(index) + " (" +
                         std::to_string(home.size) + " bytes)");
    if (type == STT_FUNC && (home.flags & SHF_EXECINSTR) && (value % 8 != 0 || size % 8 != 0))
      return elf_problem(symbol() + " does not cover whole 8-byte instructions of " +
                         elf.describe(index));
  }
  return std::nullopt;
}

// The bytes a relocation of `type` patches at its offset.
std::uint64_t patched_bytes(std::uint32_t type) {
  switch (type) {
    case 1: return 16;  // R_BPF_64_64: the two halves of ld_imm64
    case 2: return 8;   // R_BPF_64_ABS64
    case 3: case 4: return 4;  // R_BPF_64_ABS32, R_BPF_64_NODYLD32
    case 10: return 8;  // R_BPF_64_32: a call instruction
    default: return 0;
  }
}

result check_relocations(const elf_file &elf, const symbol_table &symbols) {
  for (std::size_t i = 1; i < elf.sections.size(); ++i) {
    const section &s = elf.sections[i];
    if (s.type != SHT_REL && s.type != SHT_RELA) continue;
    if (s.link != symbols.index)
      return elf_problem(elf.describe(i) + " refers to section [" + std::to_string(s.link) +
                         "] for its symbols, not to the symbol table");
    if (s.offset % 8 != 0)
      return elf_problem(elf.describe(i) + " starts at offset " + std::to_string(s.offset) +
                         ", not a multiple of 8");
    if (s.info == 0 || s.info >= elf.sections.size())
      return elf_problem(elf.describe(i) + " relocates section [" + std::to_string(s.info) +
                         "], which does not exist");
    const section &target = elf.sections[s.info];
    // Relocations of a compressed section (DWARF built with -gz) patch its
    // uncompressed bytes, whose size the compression header gives.
    std::uint64_t target_size = target.size;
    if (target.flags & SHF_COMPRESSED) {
      const std::uint64_t chdr_size = elf.is64 ? 24 : 12;
      if (target.size < chdr_size || !elf.bytes.fits(target.offset, chdr_size))
        return elf_problem(elf.describe(s.info) + " is compressed but too small for a compression header");
      target_size = elf.is64 ? elf.bytes.u64(target.offset + 8) : elf.bytes.u32(target.offset + 4);
    }
    const std::size_t entry = s.type == SHT_REL ? 16 : 24;
    const byte_view entries = elf.bytes.sub(s.offset, s.size);
    for (std::uint64_t r = 0; r < s.size / entry; ++r) {
      const std::uint64_t offset = entries.u64(r * entry), info = entries.u64(r * entry + 8);
      const std::uint64_t symbol = info >> 32;
      const auto type = static_cast<std::uint32_t>(info);
      // Built only for a message: objects carry thousands of DWARF relocations.
      const auto what = [&] { return "relocation " + std::to_string(r) + " of " + elf.describe(i); };
      if (symbol >= symbols.count)
        return elf_problem(what() + " refers to symbol " + std::to_string(symbol) + ", but there are " +
                           std::to_string(symbols.count) + " symbols");
      if (type == 0) continue;  // R_BPF_NONE
      const std::uint64_t width = patched_bytes(type);
      if (width == 0) return elf_problem(what() + " has the unknown type " + std::to_string(type));
      if (offset > target_size || width > target_size - offset)
        return elf_problem(what() + " patches " + std::to_string(width) + " bytes at offset " +
                           std::to_string(offset) + ", outside " + elf.describe(s.info) + " (" +
                           std::to_string(target_size) + " bytes)");
      if ((target.flags & SHF_EXECINSTR) && offset % 8 != 0)
        return elf_problem(what() + " patches offset " + std::to_string(offset) +
                           ", not the start of an instruction");
    }
  }
  return std::nullopt;
}

class elf_section_sizes : public section_sizes {
 public:
  explicit elf_section_sizes(const elf_file &elf) : elf_(elf) {}
  std::optional<std::uint64_t> size_of(std::string_view name) const override {
    for (const section &s : elf_.sections)
      if (s.name == name && s.type != SHT_NULL) return s.size;
    return std::nullopt;
  }

 private:
  const elf_file &elf_;
};

// .BTF and .BTF.ext, when present.
result check_btf_sections(const elf_file &elf, const limits &limits) {
  std::size_t btf = 0, btf_ext = 0;
  for (std::size_t i = 1; i < elf.sections.size(); ++i) {
    std::size_t *slot = elf.sections[i].name == ".BTF"       ? &btf
                        : elf.sections[i].name == ".BTF.ext" ? &btf_ext
                                                             : nullptr;
    if (!slot) continue;
    if (*slot)
      return elf_problem("two sections named " + quote(elf.sections[i].name) + ": " +
                         elf.describe(*slot) + " and " + elf.describe(i));
    if (elf.sections[i].type == SHT_NOBITS || elf.sections[i].type == SHT_NULL)
      return elf_problem(elf.describe(i) + " has no content in the file (" +
                         (elf.sections[i].type == SHT_NULL ? "SHT_NULL" : "SHT_NOBITS") + ")");
    *slot = i;
  }
  if (!btf) {
    if (btf_ext) return elf_problem("a .BTF.ext section without a .BTF section");
    return std::nullopt;
  }
  btf_model model;
  const auto btf_bytes = elf.content(elf.sections[btf]);
  if (auto p = parse_btf(btf_bytes, nullptr, limits, model)) return p;
  if (model.big_endian() != elf.bytes.big_endian())
    return problem{part::btf, "its byte order differs from the ELF file's"};
  if (auto p = check_btf_content(model, limits)) return p;
  if (!btf_ext) return std::nullopt;
  elf_section_sizes sizes(elf);
  return check_btf_ext_content(elf.content(elf.sections[btf_ext]), model, &sizes);
}

}  // namespace
}  // namespace detail

result check_elf_structure(std::span<const std::byte> file, const limits &) {
  detail::elf_file elf;
  return detail::read_elf(file, elf);
}

std::optional<std::span<const std::byte>> find_elf_section(std::span<const std::byte> file,
                                                           std::string_view name) {
  detail::elf_file elf;
  if (detail::read_elf(file, elf)) return std::nullopt;
  for (const detail::section &s : elf.sections)
    if (s.name == name && s.type != SHT_NULL && s.type != SHT_NOBITS) return elf.content(s);
  return std::nullopt;
}

result check_bpf_object(std::span<const std::byte> object, const limits &limits) {
  using namespace detail;
  if (object.size() > limits.max_object_size)
    return not_bpf("the file has " + std::to_string(object.size()) +
                   " bytes, more than the limit of " + std::to_string(limits.max_object_size));
  elf_file elf;
  if (auto p = read_elf(object, elf)) return p;
  if (elf.machine != EM_BPF)
    return not_bpf("ELF for " + machine_name(elf.machine) + ", not BPF");
  if (!elf.is64) return not_bpf("a 32-bit ELF file; BPF objects are 64-bit");
  if (elf.type != ET_REL)
    return not_bpf("an ELF file of type " + std::to_string(elf.type) +
                   ", not a relocatable object (ET_REL)");
  if (elf.sections.empty()) return elf_problem("no sections");
  if (elf.section_table % 8 != 0)
    return elf_problem("the section header table starts at offset " +
                       std::to_string(elf.section_table) + ", not a multiple of 8");
  if (!elf.names_index) return elf_problem("no section name table");
  for (std::size_t i = 1; i < elf.sections.size(); ++i) {
    const section &s = elf.sections[i];
    if ((s.flags & SHF_EXECINSTR) && s.size % 8 != 0)
      return elf_problem(elf.describe(i) + " holds " + std::to_string(s.size) +
                         " bytes of code, not a whole number of 8-byte instructions");
  }
  symbol_table symbols;
  if (auto p = check_symbols(elf, symbols)) return p;
  if (auto p = check_relocations(elf, symbols)) return p;
  return check_btf_sections(elf, limits);
}

}  // namespace bpfkit::object_check
