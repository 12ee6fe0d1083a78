#include "bpfkit/object_layout.hpp"

#include "bpfkit/btf_ext.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace bpfkit {
namespace {

constexpr std::uint32_t insn_size = 8;

struct elf_closer {
  void operator()(Elf *elf) const { elf_end(elf); }
};
struct btf_closer {
  void operator()(btf *b) const { btf__free(b); }
};
program_layout *find_program(std::map<std::string, program_layout> &programs,
                             const std::string &section, std::uint32_t byte_offset) {
  std::uint32_t insn = byte_offset / insn_size;
  for (auto &[name, p] : programs)
    if (p.section == section && insn >= p.first_insn && insn < p.first_insn + p.insn_count) return &p;
  return nullptr;
}

std::map<std::string, program_layout> read_symbols(Elf *elf, const std::string &name) {
  std::size_t shstrndx = 0;
  if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0)
    throw std::runtime_error(name + ": not a readable ELF file: " + elf_errmsg(-1));

  std::map<std::string, program_layout> programs;
  Elf_Scn *scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr symtab;
    if (!gelf_getshdr(scn, &symtab) || symtab.sh_type != SHT_SYMTAB) continue;
    Elf_Data *data = elf_getdata(scn, nullptr);
    if (!data || symtab.sh_entsize == 0) continue;
    std::size_t count = symtab.sh_size / symtab.sh_entsize;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
          sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
        continue;
      Elf_Scn *code = elf_getscn(elf, sym.st_shndx);
      GElf_Shdr code_header;
      if (!code || !gelf_getshdr(code, &code_header) || !(code_header.sh_flags & SHF_EXECINSTR))
        continue;
      const char *section = elf_strptr(elf, shstrndx, code_header.sh_name);
      const char *symbol = elf_strptr(elf, symtab.sh_link, sym.st_name);
      if (!section || !symbol || std::strcmp(section, ".text") == 0) continue;
      program_layout p;
      p.name = symbol;
      p.section = section;
      p.first_insn = static_cast<std::uint32_t>(sym.st_value / insn_size);
      p.insn_count = static_cast<std::uint32_t>(sym.st_size / insn_size);
      programs.emplace(p.name, std::move(p));
    }
  }
  return programs;
}

// The bytes of the section called `wanted`, or an empty span.
std::span<const std::uint8_t> section_bytes(Elf *elf, const char *wanted) {
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  Elf_Scn *scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header)) continue;
    const char *name = elf_strptr(elf, shstrndx, header.sh_name);
    if (!name || std::strcmp(name, wanted) != 0) continue;
    Elf_Data *data = elf_getdata(scn, nullptr);
    if (!data || !data->d_buf) return {};
    return {static_cast<const std::uint8_t *>(data->d_buf), data->d_size};
  }
  return {};
}

}  // namespace

std::map<std::string, program_layout> read_program_layouts(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return read_program_layouts(std::as_bytes(std::span(bytes)), path);
}

std::map<std::string, program_layout> read_program_layouts(std::span<const std::byte> elf_bytes,
                                                           const std::string &name) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw std::runtime_error(std::string("libelf: ") + elf_errmsg(-1));
  // libelf reads the buffer in place and does not write it (ELF_C_READ).
  std::unique_ptr<Elf, elf_closer> elf(
      elf_memory(const_cast<char *>(reinterpret_cast<const char *>(elf_bytes.data())), elf_bytes.size()));
  if (!elf) throw std::runtime_error(name + ": not a readable ELF file: " + elf_errmsg(-1));
  std::map<std::string, program_layout> programs = read_symbols(elf.get(), name);

  const auto btf_data = section_bytes(elf.get(), ".BTF");
  const auto ext_data = section_bytes(elf.get(), ".BTF.ext");
  if (btf_data.empty() || ext_data.empty()) return programs;  // no BTF: no line info, no CO-RE
  std::unique_ptr<btf, btf_closer> strings(btf__new(btf_data.data(), static_cast<std::uint32_t>(btf_data.size())));
  if (!strings) return programs;
  const auto ext = std::as_bytes(ext_data);
  btf_ext::layout layout;
  if (btf_ext::read_layout(ext, layout)) return programs;  // unreadable: no line info, as without it

  auto name_of = [&](std::uint32_t offset) {
    const char *text = btf__name_by_offset(strings.get(), offset);
    return std::string(text ? text : "");
  };
  for (const btf_ext::record_group &group : layout.groups) {
    const std::string section = name_of(group.section_name_off);
    for (std::uint32_t i = 0; i < group.count; ++i) {
      if (group.table == btf_ext::table::line_info) {
        const btf_ext::line_info r = btf_ext::read_line_info(ext, layout, group, i);
        if (program_layout *p = find_program(programs, section, r.insn_off))
          p->lines.push_back({r.insn_off / insn_size - p->first_insn, name_of(r.file_name_off), r.line(),
                              r.column(), name_of(r.line_off)});
      } else if (group.table == btf_ext::table::core_relo) {
        if (program_layout *p = find_program(programs, section, btf_ext::insn_offset(ext, layout, group, i)))
          ++p->core_relos;
      }
    }
  }
  for (auto &[name, p] : programs)
    std::stable_sort(p.lines.begin(), p.lines.end(),
                     [](const source_line &a, const source_line &b) { return a.insn < b.insn; });
  return programs;
}

void locate_source(verifier_failure &failure, const program_layout *layout) {
  if (!layout) return;
  if (failure.source) {
    const std::string &file = failure.source->file;
    for (const source_line &line : layout->lines) {
      const std::string base = line.file.substr(line.file.find_last_of('/') + 1);
      if (line.line == failure.source->line && (base == file || line.file == file)) {
        failure.source->file = line.file;
        return;
      }
    }
    return;
  }
  if (!failure.insn || *failure.insn >= layout->insn_count) return;  // in a subprogram
  const source_line *best = nullptr;
  for (const source_line &line : layout->lines)
    if (line.insn <= *failure.insn && (!best || line.insn >= best->insn)) best = &line;
  if (!best) return;
  // The kernel quotes lines without their indentation; so does this.
  const std::size_t code = best->text.find_first_not_of(" \t");
  failure.source = source_location{best->file, best->line,
                                   code == std::string::npos ? std::string() : best->text.substr(code)};
}

}  // namespace bpfkit
