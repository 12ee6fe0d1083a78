#include "object_edit.hpp"

#include <bpf/btf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::check {

using tools::tool_error;

namespace {

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};

class elf_editor {
 public:
  // Edits `file` in place; messages name `shown` (the object it becomes).
  elf_editor(const std::string &file, const std::string &shown) : path_(shown) {
    if (elf_version(EV_CURRENT) == EV_NONE) fail("libelf is unusable");
    fd_ = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) fail(std::string("cannot open: ") + std::strerror(errno));
    elf_ = elf_begin(fd_, ELF_C_RDWR, nullptr);
    if (!elf_ || elf_kind(elf_) != ELF_K_ELF) fail("not an ELF object");
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf_, &shstrndx) != 0) fail("no section name table");
    for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf_, scn));) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr)) fail("unreadable section header");
      elf_getdata(scn, nullptr);  // loaded now: the rewrite moves sections
      const char *name = elf_strptr(elf_, shstrndx, shdr.sh_name);
      if (shdr.sh_type == SHT_SYMTAB) symtab_ = scn;
      if (name && std::strcmp(name, ".BTF") == 0) btf_ = scn;
    }
    if (!symtab_) fail("no symbol table");
  }
  ~elf_editor() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) ::close(fd_);
  }
  elf_editor(const elf_editor &) = delete;
  elf_editor &operator=(const elf_editor &) = delete;

  [[noreturn]] void fail(const std::string &what) const {
    throw tool_error(path_, what, "this is a bpfkit bug if the compiler produced the object");
  }

  void apply(const object_plan &plan) {
    load_symbols();
    rename_functions(plan);
    std::set<std::string> globalized = globalize(plan);
    if (!globalized.empty()) point_map_references_at_maps();
    write_symbols();
    edit_btf(plan, globalized);
    if (elf_update(elf_, ELF_C_WRITE) < 0)
      fail(std::string("cannot write the object: ") + elf_errmsg(-1));
  }

 private:
  struct symbol {
    GElf_Sym sym;
    std::string name;
    std::size_t old_index;
  };

  Elf_Data *data_of(Elf_Scn *scn) const { return elf_getdata(scn, nullptr); }
  GElf_Shdr header_of(Elf_Scn *scn) const {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) fail("unreadable section header");
    return shdr;
  }

  void load_symbols() {
    GElf_Shdr shdr = header_of(symtab_);
    strtab_ = elf_getscn(elf_, shdr.sh_link);
    if (!strtab_) fail("no string table for the symbols");
    Elf_Data *data = data_of(symtab_);
    const std::size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
    for (std::size_t i = 0; i < count; ++i) {
      symbol s{};
      if (!gelf_getsym(data, static_cast<int>(i), &s.sym)) fail("unreadable symbol");
      const char *name = elf_strptr(elf_, shdr.sh_link, s.sym.st_name);
      s.name = name ? name : "";
      s.old_index = i;
      symbols_.push_back(s);
    }
    Elf_Data *strings = data_of(strtab_);
    strtab_bytes_.assign(static_cast<const char *>(strings->d_buf),
                         static_cast<const char *>(strings->d_buf) + strings->d_size);
  }

  void rename_functions(const object_plan &plan) {
    std::set<std::string> global_names;
    for (const symbol &s : symbols_)
      if (GELF_ST_BIND(s.sym.st_info) != STB_LOCAL && s.sym.st_shndx != SHN_UNDEF)
        global_names.insert(s.name);
    for (symbol &s : symbols_) {
      if (GELF_ST_TYPE(s.sym.st_info) != STT_FUNC) continue;
      auto renamed = plan.function_names.find(s.name);
      if (renamed == plan.function_names.end()) continue;
      const bool global = GELF_ST_BIND(s.sym.st_info) != STB_LOCAL;
      if (global && !global_names.insert(renamed->second).second)
        throw tool_error(path_,
                         "function '" + renamed->second + "' (" + s.name +
                             ") has the plain name of another function of this object",
                         "give the functions distinct names: BPF knows them by plain name");
      s.sym.st_name = static_cast<Elf64_Word>(strtab_bytes_.size());
      strtab_bytes_.insert(strtab_bytes_.end(), renamed->second.begin(), renamed->second.end());
      strtab_bytes_.push_back('\0');
      s.name = renamed->second;
      strings_changed_ = true;
    }
  }

  std::set<std::string> globalize(const object_plan &plan) {
    std::set<std::string> done;
    for (symbol &s : symbols_) {
      if (GELF_ST_TYPE(s.sym.st_info) != STT_OBJECT || GELF_ST_BIND(s.sym.st_info) != STB_LOCAL ||
          s.sym.st_shndx == SHN_UNDEF || !plan.make_global.count(s.name))
        continue;
      s.sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT);
      s.sym.st_other = STV_DEFAULT;
      done.insert(s.name);
    }
    return done;
  }

  // clang refers to an object of internal linkage through its section's
  // symbol (the instruction holding the offset); libbpf wants a map's own
  // symbol. References into .maps are pointed at the map they mean.
  void point_map_references_at_maps() {
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf_, &shstrndx) != 0) fail("no section name table");
    std::size_t maps_index = 0;
    for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf_, scn));) {
      const char *name = elf_strptr(elf_, shstrndx, header_of(scn).sh_name);
      if (name && std::strcmp(name, ".maps") == 0) maps_index = elf_ndxscn(scn);
    }
    if (!maps_index) return;
    std::size_t section_symbol = 0;
    std::map<Elf64_Addr, std::size_t> map_at;  // offset in .maps -> symbol index
    for (const symbol &s : symbols_) {
      if (s.sym.st_shndx != maps_index) continue;
      if (GELF_ST_TYPE(s.sym.st_info) == STT_SECTION) section_symbol = s.old_index;
      if (GELF_ST_TYPE(s.sym.st_info) == STT_OBJECT) map_at.emplace(s.sym.st_value, s.old_index);
    }
    if (!section_symbol) return;
    const std::size_t symtab_index = elf_ndxscn(symtab_);
    for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf_, scn));) {
      GElf_Shdr shdr = header_of(scn);
      if (shdr.sh_type != SHT_REL || shdr.sh_link != symtab_index) continue;
      Elf_Scn *code = elf_getscn(elf_, shdr.sh_info);
      if (!code || !(header_of(code).sh_flags & SHF_EXECINSTR)) continue;
      Elf_Data *relocations = data_of(scn);
      Elf_Data *instructions = data_of(code);
      const std::size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
      for (std::size_t i = 0; i < count; ++i) {
        GElf_Rel rel;
        if (!gelf_getrel(relocations, static_cast<int>(i), &rel)) fail("unreadable relocation");
        if (GELF_R_SYM(rel.r_info) != section_symbol) continue;
        // A 64-bit immediate load: its first 32-bit immediate is the offset.
        if (rel.r_offset + 8 > instructions->d_size) fail("a relocation points past its section");
        auto *insn = static_cast<unsigned char *>(instructions->d_buf) + rel.r_offset;
        std::int32_t offset = 0;
        std::memcpy(&offset, insn + 4, sizeof offset);
        auto map = map_at.find(static_cast<Elf64_Addr>(offset));
        if (map == map_at.end()) fail("an instruction refers into .maps but to no map");
        rel.r_info = GELF_R_INFO(map->second, GELF_R_TYPE(rel.r_info));
        gelf_update_rel(relocations, static_cast<int>(i), &rel);
        std::memset(insn + 4, 0, sizeof offset);
        elf_flagdata(relocations, ELF_C_SET, ELF_F_DIRTY);
        elf_flagdata(instructions, ELF_C_SET, ELF_F_DIRTY);
      }
    }
  }

  // ELF wants the local symbols first: a symbol made global moves after
  // them, and every reference by index follows it.
  void write_symbols() {
    std::vector<symbol> ordered;
    for (const symbol &s : symbols_)
      if (GELF_ST_BIND(s.sym.st_info) == STB_LOCAL) ordered.push_back(s);
    const std::size_t locals = ordered.size();
    for (const symbol &s : symbols_)
      if (GELF_ST_BIND(s.sym.st_info) != STB_LOCAL) ordered.push_back(s);
    std::vector<std::size_t> new_index(symbols_.size());
    bool moved = false;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      new_index[ordered[i].old_index] = i;
      moved |= ordered[i].old_index != i;
    }

    Elf_Data *symbols = data_of(symtab_);
    symbol_bytes_.assign(symbols->d_size, 0);
    symbols->d_buf = symbol_bytes_.data();
    for (std::size_t i = 0; i < ordered.size(); ++i)
      if (!gelf_update_sym(symbols, static_cast<int>(i), &ordered[i].sym)) fail("cannot write a symbol");
    elf_flagdata(symbols, ELF_C_SET, ELF_F_DIRTY);
    GElf_Shdr shdr = header_of(symtab_);
    shdr.sh_info = static_cast<Elf64_Word>(locals);
    gelf_update_shdr(symtab_, &shdr);

    if (strings_changed_) {
      Elf_Data *strings = data_of(strtab_);
      strings->d_buf = strtab_bytes_.data();
      strings->d_size = strtab_bytes_.size();
      elf_flagdata(strings, ELF_C_SET, ELF_F_DIRTY);
    }
    if (moved) renumber_references(new_index);
  }

  void renumber_references(const std::vector<std::size_t> &new_index) {
    const std::size_t symtab_index = elf_ndxscn(symtab_);
    for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf_, scn));) {
      GElf_Shdr shdr = header_of(scn);
      if (shdr.sh_link != symtab_index) continue;
      if (shdr.sh_type == SHT_REL) {
        Elf_Data *data = data_of(scn);
        const std::size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
        for (std::size_t i = 0; i < count; ++i) {
          GElf_Rel rel;
          if (!gelf_getrel(data, static_cast<int>(i), &rel)) fail("unreadable relocation");
          rel.r_info = GELF_R_INFO(new_index.at(GELF_R_SYM(rel.r_info)), GELF_R_TYPE(rel.r_info));
          gelf_update_rel(data, static_cast<int>(i), &rel);
        }
        elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
      } else if (shdr.sh_type == SHT_RELA) {
        Elf_Data *data = data_of(scn);
        const std::size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
        for (std::size_t i = 0; i < count; ++i) {
          GElf_Rela rela;
          if (!gelf_getrela(data, static_cast<int>(i), &rela)) fail("unreadable relocation");
          rela.r_info =
              GELF_R_INFO(new_index.at(GELF_R_SYM(rela.r_info)), GELF_R_TYPE(rela.r_info));
          gelf_update_rela(data, static_cast<int>(i), &rela);
        }
        elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
      } else if (shdr.sh_type == SHT_GROUP) {
        shdr.sh_info = static_cast<Elf64_Word>(new_index.at(shdr.sh_info));
        gelf_update_shdr(scn, &shdr);
      } else if (shdr.sh_type == SHT_LLVM_ADDRSIG) {
        // Symbol indices for identical-code folding, which nothing does to
        // BPF objects: emptied rather than re-encoded.
        Elf_Data *data = data_of(scn);
        data->d_size = 0;
        elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
      }
    }
  }

  void edit_btf(const object_plan &plan, const std::set<std::string> &globalized) {
    if (plan.annotations.empty() && globalized.empty()) return;
    if (!btf_) fail("no .BTF section (compile with -g)");
    Elf_Data *data = data_of(btf_);
    std::unique_ptr<btf, btf_deleter> types(btf__new(data->d_buf, static_cast<__u32>(data->d_size)));
    if (!types) fail(std::string("unreadable BTF: ") + std::strerror(errno));

    const __u32 count = btf__type_cnt(types.get());
    std::map<std::string, __u32> functions;
    for (__u32 id = 1; id < count; ++id) {
      const btf_type *t = btf__type_by_id(types.get(), id);
      const char *name = btf__name_by_offset(types.get(), t->name_off);
      if (!name) continue;
      if (btf_is_var(t) && globalized.count(name)) {
        // libbpf has no setter; the BTF object's own (mutable) copy of the
        // section is edited in place before any type is added.
        const_cast<struct btf_var *>(btf_var(t))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
      }
      if (btf_is_func(t)) functions.emplace(name, id);
    }
    for (const auto &[program, tag] : plan.annotations) {
      auto function = functions.find(program);
      if (function == functions.end())
        fail("the annotated program '" + program + "' has no BTF");
      if (btf__add_decl_tag(types.get(), tag.c_str(), static_cast<int>(function->second), -1) < 0)
        fail("cannot add the annotation '" + tag + "' to the BTF");
    }
    __u32 size = 0;
    const void *raw = btf__raw_data(types.get(), &size);
    if (!raw) fail("cannot write the BTF");
    btf_bytes_.assign(static_cast<const char *>(raw), static_cast<const char *>(raw) + size);
    data->d_buf = btf_bytes_.data();
    data->d_size = btf_bytes_.size();
    elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
  }

  std::string path_;
  int fd_ = -1;
  Elf *elf_ = nullptr;
  Elf_Scn *symtab_ = nullptr;
  Elf_Scn *strtab_ = nullptr;
  Elf_Scn *btf_ = nullptr;
  std::vector<symbol> symbols_;
  bool strings_changed_ = false;
  // Section contents that libelf writes at elf_update(): they must outlive it.
  std::vector<char> strtab_bytes_;
  std::vector<char> symbol_bytes_;
  std::vector<char> btf_bytes_;
};

}  // namespace

void edit_object(const std::string &path, const object_plan &plan) {
  if (plan.function_names.empty() && plan.make_global.empty() && plan.annotations.empty()) return;
  tools::output_file out(path);
  out.write(tools::read_file(path));
  {
    elf_editor editor(out.path_for_open(), path);
    editor.apply(plan);
  }
  out.commit();
}

}  // namespace bpfkit::check
