#include "input_checks.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <map>
#include <optional>

namespace bpfkit::link {

using tools::tool_error;

namespace {

// The demangled form of `name`, or nothing when it is not a C++ mangled name.
std::optional<std::string> demangle(const std::string &name) {
  if (!name.starts_with("_Z")) return std::nullopt;
  int status = 0;
  char *text = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !text) return std::nullopt;
  std::string result(text);
  std::free(text);
  return result;
}

bool is_global_variable(const elf_object &object, const elf_symbol &symbol) {
  const elf_section *section = object.section_of(symbol);
  return symbol.type == STT_OBJECT && (symbol.bind == STB_GLOBAL || symbol.bind == STB_WEAK) &&
         section && (section->flags & SHF_ALLOC) && !(section->flags & SHF_EXECINSTR);
}

// Which kind of name libbpf and the skeleton expose for `symbol`, if any.
// Function-local statics (_ZZ...) are not listed: extern "C" cannot change
// their names and nothing refers to them by name.
const char *named_entity_kind(const elf_object &object, const elf_symbol &symbol) {
  if (is_program(object, symbol)) return "program";
  if (is_map(object, symbol)) return "map";
  if (is_global_variable(object, symbol)) return "global variable";
  if (!symbol.defined() && symbol.bind != STB_LOCAL) return "extern";
  return nullptr;
}

void check_btf(const elf_object &object, diagnostics &errors) {
  if (!object.has_section(".BTF"))
    errors.add(tool_error(object.path, "no .BTF section (BTF type information)",
                          "compile it with -g; BTF is generated from debug info"));
}

void check_mangled_names(const elf_object &object, diagnostics &errors) {
  for (const auto &symbol : object.symbols) {
    const char *kind = named_entity_kind(object, symbol);
    if (!kind) continue;
    auto demangled = demangle(symbol.name);
    if (!demangled) continue;
    // Internal-linkage names stay mangled even inside extern "C".
    std::string hint = symbol.bind == STB_LOCAL ? "declare it extern \"C\" and not static"
                                                : "declare it extern \"C\"";
    errors.add(tool_error(object.path,
                          std::string(kind) + " " + *demangled + " has the C++ mangled name " +
                              symbol.name,
                          hint));
  }
}

void check_license(const std::vector<elf_object> &inputs, const std::string &output,
                   diagnostics &errors) {
  std::string names;
  for (const auto &input : inputs) {
    if (input.has_section("license")) return;
    names += (names.empty() ? "" : ", ") + input.path;
  }
  errors.add(tool_error(output, "no \"license\" section in any input (" + names + ")",
                        "add to one source: char LICENSE[] SEC(\"license\") = \"GPL\";"));
}

// libbpf names programs by their function name, so two strong definitions of
// one name cannot coexist (weak ones may be overridden; libbpf resolves those).
void check_duplicate_programs(const std::vector<elf_object> &inputs, diagnostics &errors) {
  std::map<std::string, const elf_object *> first_definition;
  for (const auto &input : inputs) {
    for (const auto &symbol : input.symbols) {
      if (!is_program(input, symbol) || symbol.bind == STB_WEAK) continue;
      auto [it, inserted] = first_definition.emplace(symbol.name, &input);
      if (inserted) continue;
      std::string where = it->second == &input ? "this file" : it->second->path;
      errors.add(tool_error(input.path,
                            "program \"" + symbol.name + "\" is also defined in " + where,
                            "BPF program names must be unique in one object: rename one of them"));
    }
  }
}

}  // namespace

bool is_program(const elf_object &object, const elf_symbol &symbol) {
  // Entry points live in their own executable sections; .text holds subprograms.
  const elf_section *section = object.section_of(symbol);
  return symbol.type == STT_FUNC && section && (section->flags & SHF_EXECINSTR) &&
         section->name != ".text";
}

bool is_map(const elf_object &object, const elf_symbol &symbol) {
  const elf_section *section = object.section_of(symbol);
  return symbol.type == STT_OBJECT && section && section->name == ".maps";
}

void check_input(const elf_object &object, diagnostics &errors) {
  check_btf(object, errors);
  check_mangled_names(object, errors);
}

void check_inputs_together(const std::vector<elf_object> &inputs, const std::string &output,
                           diagnostics &errors) {
  check_license(inputs, output, errors);
  check_duplicate_programs(inputs, errors);
}

}  // namespace bpfkit::link
