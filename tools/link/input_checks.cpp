#include "input_checks.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "bpfkit/object_check.hpp"
#include "bpfkit/section_alignment.hpp"

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

// Section names become program types and attach points (libbpf's SEC()
// table: "tracepoint/syscalls/sys_enter_openat", "uprobe//usr/lib/x.so:fn+0x10",
// "kprobe.multi/tcp_*"), map names and BTF DATASEC names in the kernel, and
// text in generated headers and tools' output. Every name any of them takes
// is printable ASCII without spaces; quotes and backslashes occur in none
// (libbpf splits attach targets at '/', ':' and '+'; kernel symbols and
// tracepoints are [A-Za-z0-9_.]; uprobe paths are the exception, and a path
// with a space or a backslash is not worth a forged skeleton comment).
constexpr std::size_t max_section_name = 4096;

// What is wrong with `name`, or nothing.
std::optional<std::string> section_name_problem(std::string_view name) {
  if (name.size() > max_section_name)
    return "is " + std::to_string(name.size()) + " bytes long, more than " +
           std::to_string(max_section_name);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    std::string what;
    if (c == '\n') what = "a newline";
    else if (c == '\t') what = "a tab";
    else if (c == ' ') what = "a space";
    else if (c == '\\') what = "a backslash";
    else if (c == '"') what = "a double quote";
    else if (c < 0x20 || c == 0x7f) what = "the control character " + object_check::quote(name.substr(i, 1));
    else if (c > 0x7f) what = "the non-ASCII byte " + object_check::quote(name.substr(i, 1));
    if (!what.empty()) return "has " + what + " at byte " + std::to_string(i);
  }
  return std::nullopt;
}

// The program or variable defined in section `index`, to name the source.
std::string defined_in(const elf_object &object, std::size_t index) {
  const elf_symbol *best = nullptr;
  for (const auto &symbol : object.symbols) {
    if (symbol.section_index != index || symbol.name.empty()) continue;
    if (symbol.type == STT_FUNC) return " of program " + object_check::quote(symbol.name);
    if (symbol.type == STT_OBJECT && !best) best = &symbol;
  }
  return best ? " of " + object_check::quote(best->name) : "";
}

void check_section_names(const elf_object &object, diagnostics &errors) {
  for (std::size_t i = 1; i < object.sections.size(); ++i) {
    const elf_section &section = object.sections[i];
    auto problem = section_name_problem(section.name);
    if (!problem) continue;
    // ".rel<name>" repeats the name of the section it relocates: report that one.
    const bool relocations = section.type == SHT_REL || section.type == SHT_RELA;
    if (relocations && section.info < object.sections.size() &&
        section_name_problem(object.sections[section.info].name))
      continue;
    errors.add(tool_error(object.path,
                          "section " + object_check::quote(section.name, 256) +
                              defined_in(object, i) + " " + *problem +
                              "; no kernel or libbpf accepts such a name",
                          "section names are printable ASCII without spaces, quotes or "
                          "backslashes, as in SEC(\"xdp\") or "
                          "SEC(\"tracepoint/syscalls/sys_enter_openat\")"));
  }
}

void check_section_alignment(const elf_object &object, diagnostics &errors) {
  for (std::size_t i = 1; i < object.sections.size(); ++i) {
    const elf_section &section = object.sections[i];
    if (section.align <= max_section_alignment) continue;
    errors.add(tool_error(object.path,
                          "section " + object_check::quote(section.name, 256) + defined_in(object, i) +
                              " is aligned to " + std::to_string(section.align) + " bytes, more than " +
                              std::to_string(max_section_alignment) +
                              "; the linked object would be padded to that alignment",
                          section_alignment_hint()));
  }
}

// Sections clang writes for the host linker, which libbpf's linker does not
// know: precise messages instead of "unrecognized section".
void check_host_linker_sections(const elf_object &object, diagnostics &errors) {
  constexpr GElf_Word linker_options = 0x6fff4c01;       // SHT_LLVM_LINKER_OPTIONS
  constexpr GElf_Word dependent_libraries = 0x6fff4c04;  // SHT_LLVM_DEPENDENT_LIBRARIES
  for (const auto &section : object.sections) {
    if (section.type == linker_options)
      errors.add(tool_error(object.path,
                            "section " + object_check::quote(section.name, 256) +
                                " holds options for a host linker (clang's autolink, on by "
                                "default for C++20), which libbpf cannot link",
                            "compile C++ BPF sources with -fno-autolink (bpf_add_object() does)"));
    else if (section.type == dependent_libraries)
      errors.add(tool_error(object.path,
                            "section " + object_check::quote(section.name, 256) +
                                " names libraries to link (#pragma comment(lib, ...)), which "
                                "libbpf cannot link",
                            "remove the #pragma comment(lib, ...): a BPF object links no libraries"));
  }
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
  check_section_names(object, errors);
  check_btf(object, errors);
  check_host_linker_sections(object, errors);
  check_section_alignment(object, errors);
  check_mangled_names(object, errors);
}

void check_inputs_together(const std::vector<elf_object> &inputs, const std::string &output,
                           diagnostics &errors) {
  check_license(inputs, output, errors);
  check_duplicate_programs(inputs, errors);
}

}  // namespace bpfkit::link
