#include "bpfkit/inspect/object_file.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "bpfkit/btf_ext.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/file_io.hpp"
#include "bpfkit/inspect/error.hpp"
#include "bpfkit/object_check.hpp"

namespace bpfkit::inspect {
namespace {

constexpr std::uint32_t insn_size = sizeof(bpf_insn);
constexpr std::uint8_t pseudo_call = 1;  // BPF_PSEUDO_CALL
constexpr std::uint8_t pseudo_func = 4;  // BPF_PSEUDO_FUNC

struct elf_closer {
  void operator()(Elf *elf) const { elf_end(elf); }
};
std::span<const std::uint8_t> bytes_of(Elf_Scn *scn) {
  Elf_Data *data = elf_getdata(scn, nullptr);
  if (!data || !data->d_buf) return {};
  return {static_cast<const std::uint8_t *>(data->d_buf), data->d_size};
}

}  // namespace

object_file object_file::read(const std::string &path) {
  if (classify_file(path) != file_kind::bpf_object)
    throw error(error::category::bad_input, path + ": not a BPF object",
                "give a .bpf.o built by bpf_add_object() (clang -target bpf)");
  object_file object;
  object.path_ = path;

  if (elf_version(EV_CURRENT) == EV_NONE)
    throw error(error::category::failed, std::string("libelf: ") + elf_errmsg(-1));
  // Checked before libelf and libbpf parse it: they trust its structure.
  std::string bytes;
  try {
    bytes = file_io::read_input(path);
  } catch (const file_io::file_error &e) {
    throw error(error::category::bad_input, path + ": " + e.what());
  }
  const auto object_bytes = std::as_bytes(std::span(bytes));
  if (auto problem = object_check::check_bpf_object(object_bytes))
    throw error(error::category::bad_input, path + ": " + problem->message());
  // Everything kept is copied out of the ELF (btf__new copies too).
  std::unique_ptr<Elf, elf_closer> elf(elf_memory(bytes.data(), bytes.size()));
  std::size_t shstrndx = 0;
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF || elf_getshdrstrndx(elf.get(), &shstrndx) != 0)
    throw error(error::category::bad_input, path + ": not a readable ELF file: " + elf_errmsg(-1));

  std::span<const std::uint8_t> btf_bytes, ext_bytes;
  std::map<std::size_t, std::string> exec_sections;  // index -> name
  Elf_Scn *scn = nullptr;
  while ((scn = elf_nextscn(elf.get(), scn)) != nullptr) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header)) continue;
    const char *name = elf_strptr(elf.get(), shstrndx, header.sh_name);
    if (!name) continue;
    if (std::strcmp(name, ".BTF") == 0) btf_bytes = bytes_of(scn);
    if (std::strcmp(name, ".BTF.ext") == 0) ext_bytes = bytes_of(scn);
    if (header.sh_type == SHT_PROGBITS && (header.sh_flags & SHF_EXECINSTR)) {
      exec_sections[elf_ndxscn(scn)] = name;
      const auto code = bytes_of(scn);
      std::vector<bpf_insn> insns(code.size() / insn_size);
      if (!insns.empty()) std::memcpy(insns.data(), code.data(), insns.size() * insn_size);
      object.code_[name] = std::move(insns);
    }
  }
  if (btf_bytes.empty())
    throw error(error::category::bad_input, path + ": the object has no BTF",
                "compile with -g (bpf_add_object() does)");
  object.btf_.reset(btf__new(btf_bytes.data(), static_cast<std::uint32_t>(btf_bytes.size())));
  if (!object.btf_)
    throw error(error::category::bad_input, path + ": cannot read its BTF: " + error_category().message(errno));

  // Functions, and the relocations of calls to them.
  scn = nullptr;
  while ((scn = elf_nextscn(elf.get(), scn)) != nullptr) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header) || header.sh_type != SHT_SYMTAB || header.sh_entsize == 0) continue;
    Elf_Data *symbols = elf_getdata(scn, nullptr);
    if (!symbols) continue;
    const std::size_t count = header.sh_size / header.sh_entsize;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(symbols, static_cast<int>(i), &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
        continue;
      auto section = exec_sections.find(sym.st_shndx);
      const char *name = elf_strptr(elf.get(), header.sh_link, sym.st_name);
      if (section == exec_sections.end() || !name) continue;
      function_symbol f;
      f.name = name;
      f.section = section->second;
      f.first_insn = static_cast<std::uint32_t>(sym.st_value / insn_size);
      f.insn_count = static_cast<std::uint32_t>(sym.st_size / insn_size);
      f.program = f.section != ".text";
      object.functions_.push_back(std::move(f));
    }
    // The symbol table's relocation sections (.rel<section>).
    Elf_Scn *rel = nullptr;
    while ((rel = elf_nextscn(elf.get(), rel)) != nullptr) {
      GElf_Shdr rel_header;
      if (!gelf_getshdr(rel, &rel_header) || rel_header.sh_type != SHT_REL ||
          rel_header.sh_link != elf_ndxscn(scn) || rel_header.sh_entsize == 0)
        continue;
      auto target = exec_sections.find(rel_header.sh_info);
      Elf_Data *data = elf_getdata(rel, nullptr);
      if (target == exec_sections.end() || !data) continue;
      const std::size_t n = rel_header.sh_size / rel_header.sh_entsize;
      for (std::size_t r = 0; r < n; ++r) {
        GElf_Rel entry;
        GElf_Sym sym;
        if (!gelf_getrel(data, static_cast<int>(r), &entry) ||
            !gelf_getsym(symbols, static_cast<int>(GELF_R_SYM(entry.r_info)), &sym))
          continue;
        auto symbol_section = exec_sections.find(sym.st_shndx);
        if (symbol_section == exec_sections.end()) continue;  // maps, globals, externs
        object.relocations_[target->second][static_cast<std::uint32_t>(entry.r_offset / insn_size)] =
            call_relocation{symbol_section->second, static_cast<std::int64_t>(sym.st_value)};
      }
    }
  }
  std::sort(object.functions_.begin(), object.functions_.end(),
            [](const function_symbol &a, const function_symbol &b) {
              return std::tie(a.section, a.first_insn) < std::tie(b.section, b.first_insn);
            });

  if (ext_bytes.empty()) return object;  // no line info, no CO-RE relocations
  const auto ext = std::as_bytes(ext_bytes);
  btf_ext::layout layout;
  if (auto problem = btf_ext::read_layout(ext, layout))
    throw error(error::category::bad_input, path + ": " + problem->message());
  const btf *strings = object.btf_.get();
  auto name_of = [&](std::uint32_t offset) {
    const char *text = btf__name_by_offset(strings, offset);
    return std::string(text ? text : "");
  };
  for (const btf_ext::record_group &group : layout.groups) {
    const std::string section = name_of(group.section_name_off);
    for (std::uint32_t i = 0; i < group.count; ++i) {
      if (group.table == btf_ext::table::line_info) {
        const btf_ext::line_info r = btf_ext::read_line_info(ext, layout, group, i);
        object.lines_.push_back({section, r.insn_off / insn_size, name_of(r.file_name_off), r.line(), r.column(),
                                 name_of(r.line_off)});
      } else if (group.table == btf_ext::table::core_relo) {
        const btf_ext::core_relo r = btf_ext::read_core_relo(ext, layout, group, i);
        object.core_records_.push_back({section, r.insn_off / insn_size, r.type_id, name_of(r.access_str_off),
                                        static_cast<bpf_core_relo_kind>(r.kind)});
      }
    }
  }
  std::stable_sort(object.lines_.begin(), object.lines_.end(), [](const line_record &a, const line_record &b) {
    return std::tie(a.section, a.insn) < std::tie(b.section, b.insn);
  });
  return object;
}

const function_symbol *object_file::function(const std::string &name) const {
  for (const function_symbol &f : functions_)
    if (f.name == name) return &f;
  return nullptr;
}

const function_symbol *object_file::function_at(const std::string &section, std::uint32_t insn) const {
  for (const function_symbol &f : functions_)
    if (f.section == section && insn >= f.first_insn && insn < f.first_insn + f.insn_count) return &f;
  return nullptr;
}

std::span<const bpf_insn> object_file::instructions(const std::string &section) const {
  auto it = code_.find(section);
  if (it == code_.end()) return {};
  return it->second;
}

const function_symbol *object_file::call_target(const std::string &section, std::uint32_t insn) const {
  const auto code = instructions(section);
  if (insn >= code.size()) return nullptr;
  const bpf_insn &i = code[insn];
  const bool call = i.code == (BPF_JMP | BPF_CALL) && i.src_reg == pseudo_call;
  const bool callback = i.code == (BPF_LD | BPF_IMM | BPF_DW) && i.src_reg == pseudo_func;
  if (!call && !callback) return nullptr;
  std::string target_section = section;
  std::int64_t target;
  auto relocations = relocations_.find(section);
  const call_relocation *relocation = nullptr;
  if (relocations != relocations_.end()) {
    auto r = relocations->second.find(insn);
    if (r != relocations->second.end()) relocation = &r->second;
  }
  if (relocation) {
    target_section = relocation->target_section;
    target = call ? relocation->target_base / insn_size + i.imm + 1
                  : (relocation->target_base + i.imm) / static_cast<std::int64_t>(insn_size);
  } else {
    target = static_cast<std::int64_t>(insn) + i.imm + 1;
  }
  if (target < 0) return nullptr;
  return function_at(target_section, static_cast<std::uint32_t>(target));
}

const line_record *object_file::line_at(const std::string &section, std::uint32_t insn) const {
  const line_record *best = nullptr;
  for (const line_record &l : lines_)
    if (l.section == section && l.insn <= insn && (!best || l.insn >= best->insn)) best = &l;
  return best;
}

const line_record *object_file::line_of_use(const std::string &section, std::uint32_t insn) const {
  const auto code = instructions(section);
  const line_record *in_force = line_at(section, insn);
  if (insn >= code.size()) return in_force;
  const function_symbol *f = function_at(section, insn);
  const std::uint32_t end = f ? f->first_insn + f->insn_count : static_cast<std::uint32_t>(code.size());
  auto bit = [](int reg) { return 1u << reg; };
  const bpf_insn &first = code[insn];
  const std::uint8_t first_class = BPF_CLASS(first.code);
  // A relocated load or store is itself the use.
  if (first_class == BPF_LDX || first_class == BPF_ST || first_class == BPF_STX) return in_force;
  unsigned tainted = bit(first.dst_reg);
  const std::uint32_t limit = std::min<std::uint32_t>(end, insn + 64);
  for (std::uint32_t pc = insn + (first.code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1); pc < limit && tainted;) {
    const bpf_insn &i = code[pc];
    const std::uint8_t cls = BPF_CLASS(i.code);
    const bool reads_src = BPF_SRC(i.code) == BPF_X && (tainted & bit(i.src_reg));
    const bool reads_dst = tainted & bit(i.dst_reg);
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        if (BPF_OP(i.code) == BPF_MOV) {
          if (reads_src) tainted |= bit(i.dst_reg);
          else tainted &= ~bit(i.dst_reg);
        } else if (reads_src) {
          tainted |= bit(i.dst_reg);
        }
        ++pc;
        continue;
      case BPF_LD:
        if (i.code == (BPF_LD | BPF_IMM | BPF_DW)) {
          tainted &= ~bit(i.dst_reg);
          pc += 2;
          continue;
        }
        break;
      case BPF_LDX:
        if (tainted & bit(i.src_reg)) return line_at(section, pc);
        tainted &= ~bit(i.dst_reg);
        ++pc;
        continue;
      case BPF_ST:
        if (reads_dst) return line_at(section, pc);
        ++pc;
        continue;
      case BPF_STX:
        if (reads_dst || (tainted & bit(i.src_reg))) return line_at(section, pc);
        ++pc;
        continue;
      case BPF_JMP:
      case BPF_JMP32: {
        const std::uint8_t op = BPF_OP(i.code);
        if (op == BPF_CALL) {
          if (tainted & 0x3e) return line_at(section, pc);  // an argument, r1-r5
          tainted &= ~0x3fu;
          ++pc;
          continue;
        }
        if (op == BPF_EXIT) return tainted & bit(0) ? line_at(section, pc) : in_force;
        if (op == BPF_JA) {
          pc = static_cast<std::uint32_t>(static_cast<std::int64_t>(pc) + 1 + (cls == BPF_JMP32 ? i.imm : i.off));
          continue;
        }
        if (reads_dst || reads_src) return line_at(section, pc);
        ++pc;  // follow the fall-through path
        continue;
      }
      default:
        break;
    }
    break;
  }
  return in_force;
}

}  // namespace bpfkit::inspect
