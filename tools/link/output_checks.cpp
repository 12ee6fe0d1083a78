#include "output_checks.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <memory>
#include <set>
#include <stdexcept>

#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

// Externs that libbpf resolves when loading: __kconfig values (.kconfig) and
// __ksym kernel variables and functions (.ksyms). clang records them in BTF
// DATASECs of those names; the ELF symbol alone does not tell them apart.
std::set<std::string> load_time_externs(const btf *types) {
  std::set<std::string> names;
  for (unsigned id = 1; id < btf__type_cnt(types); ++id) {
    const btf_type *type = btf__type_by_id(types, id);
    if (!btf_is_datasec(type)) continue;
    std::string section = btf__name_by_offset(types, type->name_off);
    if (section != ".kconfig" && section != ".ksyms") continue;
    const btf_var_secinfo *member = btf_var_secinfos(type);
    for (unsigned i = 0; i < btf_vlen(type); ++i, ++member)
      names.insert(btf__name_by_offset(types, btf__type_by_id(types, member->type)->name_off));
  }
  return names;
}

// "function" or "variable" from the extern's BTF, for a clearer message.
std::string extern_kind(const btf *types, const std::string &name) {
  int id = btf__find_by_name(types, name.c_str());
  if (id <= 0) return "symbol";
  const btf_type *type = btf__type_by_id(types, id);
  return btf_is_func(type) ? "function" : btf_is_var(type) ? "variable" : "symbol";
}

std::string inputs_referencing(const std::vector<elf_object> &inputs, const std::string &name) {
  std::string files;
  for (const auto &input : inputs)
    for (const auto &symbol : input.symbols)
      if (!symbol.defined() && symbol.bind != STB_LOCAL && symbol.name == name) {
        files += (files.empty() ? "" : ", ") + input.path;
        break;
      }
  return files;
}

}  // namespace

void check_linked_object(const elf_object &linked, const std::vector<elf_object> &inputs,
                         diagnostics &errors) {
  for (const auto &section : linked.sections)
    if (section.name.starts_with(".debug_") || section.name.starts_with(".rel.debug_"))
      throw std::logic_error("libbpf's linker kept DWARF section " + section.name);
  if (!linked.has_section(".BTF")) throw std::logic_error("libbpf's linker dropped .BTF");

  // btf__new reads either byte order.
  const std::string_view raw = linked.section_data(".BTF");
  btf_ptr types(btf__new(raw.data(), static_cast<__u32>(raw.size())));
  if (!types) throw std::runtime_error("libbpf cannot read the BTF of the linked object");
  auto resolved_at_load = load_time_externs(types.get());

  for (const auto &symbol : linked.symbols) {
    // Weak externs are optional by declaration; the loader judges those.
    if (symbol.section_index != SHN_UNDEF || symbol.bind != STB_GLOBAL) continue;
    if (resolved_at_load.count(symbol.name)) continue;
    errors.add(tool_error(inputs_referencing(inputs, symbol.name),
                          "unresolved extern " + extern_kind(types.get(), symbol.name) + " \"" +
                              symbol.name + "\": no input defines it",
                          "add the source that defines it to the object; if the kernel provides "
                          "it, declare it __ksym (kernel symbol) or __kconfig (Kconfig value)"));
  }
}

}  // namespace bpfkit::link
