#include "bpfkit/object_layout.hpp"

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
struct btf_ext_closer {
  void operator()(btf_ext *e) const { btf_ext__free(e); }
};

// The .BTF.ext header (tools/lib/bpf/libbpf_internal.h); core_relo_* exist
// only when hdr_len covers them.
struct btf_ext_header {
  std::uint16_t magic;
  std::uint8_t version;
  std::uint8_t flags;
  std::uint32_t hdr_len;
  std::uint32_t func_info_off;
  std::uint32_t func_info_len;
  std::uint32_t line_info_off;
  std::uint32_t line_info_len;
  std::uint32_t core_relo_off;
  std::uint32_t core_relo_len;
};

struct line_info_record {  // struct bpf_line_info, insn_off in bytes in the ELF file
  std::uint32_t insn_off;
  std::uint32_t file_name_off;
  std::uint32_t line_off;
  std::uint32_t line_col;
};

std::uint32_t read_u32(const std::uint8_t *p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Calls visit(section_name, record_pointer) for each record of one .BTF.ext
// info block ([u32 record_size] then per section [u32 name_off, u32 count,
// records]). Stops quietly at anything malformed.
template <typename Visit>
void for_each_record(const btf *strings, const std::uint8_t *block, std::uint32_t len,
                     std::uint32_t min_record_size, Visit visit) {
  if (len < 4) return;
  std::uint32_t record_size = read_u32(block);
  if (record_size < min_record_size) return;
  std::uint32_t pos = 4;
  while (pos + 8 <= len) {
    const char *section = btf__name_by_offset(strings, read_u32(block + pos));
    std::uint32_t count = read_u32(block + pos + 4);
    pos += 8;
    if (static_cast<std::uint64_t>(count) * record_size > len - pos) return;
    for (std::uint32_t i = 0; i < count; ++i, pos += record_size)
      visit(section ? section : "", block + pos);
  }
}

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
  std::unique_ptr<btf_ext, btf_ext_closer> ext(
      btf_ext__new(ext_data.data(), static_cast<std::uint32_t>(ext_data.size())));
  if (!strings || !ext) return programs;

  std::uint32_t size = 0;
  const auto *data = static_cast<const std::uint8_t *>(btf_ext__get_raw_data(ext.get(), &size));
  btf_ext_header header{};
  if (!data || size < offsetof(btf_ext_header, core_relo_off)) return programs;
  std::memcpy(&header, data, std::min<std::size_t>(size, sizeof header));
  if (header.hdr_len > size) return programs;
  const std::uint8_t *body = data + header.hdr_len;
  std::uint32_t body_size = size - header.hdr_len;
  auto block = [&](std::uint32_t off, std::uint32_t len) -> std::pair<const std::uint8_t *, std::uint32_t> {
    if (off > body_size || len > body_size - off) return {nullptr, 0};
    return {body + off, len};
  };

  auto [lines, lines_len] = block(header.line_info_off, header.line_info_len);
  for_each_record(strings.get(), lines, lines_len, sizeof(line_info_record),
                  [&](const char *section, const std::uint8_t *record) {
                    line_info_record r;
                    std::memcpy(&r, record, sizeof r);
                    program_layout *p = find_program(programs, section, r.insn_off);
                    if (!p) return;
                    const char *file = btf__name_by_offset(strings.get(), r.file_name_off);
                    const char *text = btf__name_by_offset(strings.get(), r.line_off);
                    p->lines.push_back({r.insn_off / insn_size - p->first_insn, file ? file : "",
                                        r.line_col >> 10, r.line_col & 0x3ff, text ? text : ""});
                  });

  if (header.hdr_len >= sizeof header) {
    auto [relos, relos_len] = block(header.core_relo_off, header.core_relo_len);
    for_each_record(strings.get(), relos, relos_len, 16,  // struct bpf_core_relo
                    [&](const char *section, const std::uint8_t *record) {
                      if (program_layout *p = find_program(programs, section, read_u32(record)))
                        ++p->core_relos;
                    });
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
