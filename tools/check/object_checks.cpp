#include "object_checks.hpp"

#include <bpf/btf.h>
#include <cxxabi.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

#include "tool_error.hpp"

namespace bpfkit::check {

using tools::tool_error;

namespace {

constexpr const char plain_types_fix[] =
    "keep the types that BPF code stores or passes plain C structs: no member functions, "
    "static members, references, base classes, 'class' or templates";

constexpr const char reference_fix[] =
    "pass a pointer instead of a reference, or mark the function __always_inline so that it "
    "keeps no BTF of its own";

bool is_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

std::string demangled(const std::string &name) {
  int status = 0;
  char *text = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !text) return name;
  std::string result(text);
  std::free(text);
  return result;
}

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};

class elf_reader {
 public:
  explicit elf_reader(const std::string &path) : path_(path) {
    if (elf_version(EV_CURRENT) == EV_NONE) throw tool_error(path, "libelf is unusable");
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw tool_error(path, std::string("cannot open: ") + std::strerror(errno));
    elf_ = elf_begin(fd_, ELF_C_READ, nullptr);
    if (!elf_ || elf_kind(elf_) != ELF_K_ELF) throw tool_error(path, "not an ELF object");
  }
  ~elf_reader() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) ::close(fd_);
  }
  elf_reader(const elf_reader &) = delete;
  elf_reader &operator=(const elf_reader &) = delete;

  // (section name, symbol name, symbol type) of every defined symbol.
  struct symbol {
    std::string section;
    std::string name;
    int type;
    bool executable;
  };
  std::vector<symbol> symbols() const {
    std::vector<symbol> out;
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf_, &shstrndx) != 0) return out;
    for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf_, scn));) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB) continue;
      Elf_Data *data = elf_getdata(scn, nullptr);
      const std::size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
      for (std::size_t i = 1; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_shndx == SHN_UNDEF ||
            sym.st_shndx >= SHN_LORESERVE)
          continue;
        Elf_Scn *home = elf_getscn(elf_, sym.st_shndx);
        GElf_Shdr home_header;
        if (!home || !gelf_getshdr(home, &home_header)) continue;
        const char *section = elf_strptr(elf_, shstrndx, home_header.sh_name);
        const char *name = elf_strptr(elf_, shdr.sh_link, sym.st_name);
        out.push_back({section ? section : "", name ? name : "", GELF_ST_TYPE(sym.st_info),
                       (home_header.sh_flags & SHF_EXECINSTR) != 0});
      }
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  Elf *elf_ = nullptr;
};

class btf_checker {
 public:
  btf_checker(const btf &types, const object_plan &plan, std::vector<finding> &findings)
      : btf_(types), plan_(plan), findings_(findings) {}

  void check_all_roots() {
    const __u32 count = btf__type_cnt(&btf_);
    for (__u32 id = 1; id < count; ++id) {
      const btf_type *t = btf__type_by_id(&btf_, id);
      if (btf_is_func(t)) {
        root_ = "function '" + name_of(t) + "'";
        root_name_ = name_of(t);
        if (!is_identifier(name_of(t)))
          report(name_of(t), "the function name '" + name_of(t) +
                                 "' in its BTF is not a C identifier (a template instantiation?)");
        visit(t->type);
      } else if (btf_is_var(t)) {
        root_ = "global '" + name_of(t) + "'";
        root_name_ = name_of(t);
        if (t->type == 0)
          report(root_name_, root_ + " has no BTF type (clang writes 'void' for a C++ class or a "
                                     "reference): the kernel rejects the object's BTF");
        visit(t->type);
      }
    }
  }

 private:
  std::string name_of(const btf_type *t) const {
    const char *name = btf__name_by_offset(&btf_, t->name_off);
    return name ? name : "";
  }
  std::string name_at(__u32 offset) const {
    const char *name = btf__name_by_offset(&btf_, offset);
    return name ? name : "";
  }

  void visit(__u32 id) {
    while (id != 0 && seen_.insert(id).second) {
      const btf_type *t = btf__type_by_id(&btf_, id);
      if (!t) return;
      const std::string name = name_of(t);
      if (btf_is_composite(t)) {
        if (!name.empty() && !is_identifier(name))
          report(name, "the struct name '" + name + "' in the BTF of " + root_ +
                           " is not a C identifier (a template instantiation?): the kernel "
                           "rejects the object's BTF");
        const btf_member *members = btf_members(t);
        for (__u16 i = 0; i < btf_vlen(t); ++i) {
          const std::string member = name_at(members[i].name_off);
          if (members[i].type == 0)
            report(name, "member '" + member + "' of '" + name + "' (in the BTF of " + root_ +
                             ") has no type: clang writes 'void' for C++ member functions, "
                             "static members, references and base classes, and the kernel "
                             "rejects the object's BTF");
          else if (!member.empty() && !is_identifier(member))
            report(name, "member '" + member + "' of '" + name + "' (in the BTF of " + root_ +
                             ") is not a C identifier (a vtable pointer?): the kernel rejects "
                             "the object's BTF");
          visit(members[i].type);
        }
        return;
      }
      if (btf_is_fwd(t) || btf_is_typedef(t)) {
        if (!is_identifier(name))
          report(name, "the type name '" + name + "' in the BTF of " + root_ +
                           " is not a C identifier (a template instantiation?): the kernel "
                           "rejects the object's BTF");
        if (btf_is_fwd(t)) return;
      }
      if (btf_is_enum(t) || btf_is_enum64(t)) {
        if (!name.empty() && !is_identifier(name))
          report(name, "the enum name '" + name + "' in the BTF of " + root_ +
                           " is not a C identifier: the kernel rejects the object's BTF");
        return;
      }
      if (btf_is_func_proto(t)) {
        const btf_param *params = btf_params(t);
        for (__u16 i = 0; i < btf_vlen(t); ++i) {
          if (params[i].type == 0 && i + 1 < btf_vlen(t))
            report(root_name_,
                   "parameter " + std::to_string(i + 1) + " of " + root_ +
                       " has no BTF type (clang writes 'void' for a reference): the kernel "
                       "rejects the object's BTF",
                   reference_fix);
          else if (params[i].type == 0 && name_at(params[i].name_off) != "")
            report(root_name_,
                   "the last parameter of " + root_ +
                       " has no BTF type (clang writes 'void' for a reference): the kernel "
                       "rejects the object's BTF",
                   reference_fix);
          visit(params[i].type);
        }
        id = t->type;
        continue;
      }
      if (btf_is_array(t)) {
        visit(btf_array(t)->index_type);
        id = btf_array(t)->type;
        continue;
      }
      if (btf_is_ptr(t) || btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t)) {
        id = t->type;
        continue;
      }
      return;
    }
  }

  // The declaration of `name` (a record, function or variable) if the source
  // analysis saw it, else the root's.
  void report(const std::string &name, const std::string &message,
              const char *fix = plain_types_fix) {
    if (!reported_.insert(message).second) return;
    source_location where;
    auto declared = plan_.declarations.find(name);
    if (declared == plan_.declarations.end()) declared = plan_.declarations.find(root_name_);
    if (declared != plan_.declarations.end()) where = declared->second;
    findings_.push_back({where, message, fix});
  }

  const btf &btf_;
  const object_plan &plan_;
  std::vector<finding> &findings_;
  std::set<__u32> seen_;
  std::set<std::string> reported_;
  std::string root_;
  std::string root_name_;
};

}  // namespace

std::vector<finding> check_object(const std::string &path, const object_plan &plan) {
  std::vector<finding> findings;
  elf_reader elf(path);
  for (const auto &s : elf.symbols()) {
    if (s.type != STT_FUNC || !s.executable) continue;
    source_location where;
    if (auto declared = plan.declarations.find(s.name); declared != plan.declarations.end())
      where = declared->second;
    if (s.section.starts_with(".text.")) {
      findings.push_back(
          {where,
           "function '" + demangled(s.name) +
               "' (an inline, template or member function) was not inlined: C++ places such "
               "a function in a section of its own, which libbpf would take for a program",
           "mark it __always_inline, or make it a plain static function"});
    } else if (s.name.starts_with("_Z")) {
      findings.push_back({where,
                          "function '" + demangled(s.name) + "' keeps the C++ mangled name '" +
                              s.name + "', which libbpf would use as its name",
                          "declare it extern \"C\", or make it a plain function at namespace "
                          "scope"});
    }
  }
  std::unique_ptr<btf, btf_deleter> types(btf__parse_elf(path.c_str(), nullptr));
  if (!types) {
    findings.push_back({{}, "the object has no usable BTF (" + std::string(std::strerror(errno)) + ")",
                        "compile with -g"});
    return findings;
  }
  btf_checker(*types, plan, findings).check_all_roots();
  return findings;
}

}  // namespace bpfkit::check
