// The source checks of a C++ BPF translation unit, on clang's AST.
//
// clang compiles C++ for the BPF target, but some C++ produces BTF the
// kernel rejects, names libbpf cannot find, or a kernel struct read at a
// fixed offset. Each is found here, with the line and the fix:
//  - a read of a kernel struct field outside CO-RE (clang ignores
//    preserve_access_index in C++), offsetof on one, a use of a field whose
//    name C++ cannot spell;
//  - a map or global inside a namespace or class (its name is mangled);
//  - a map key/value or global whose type has member functions, virtual
//    functions, base classes, references, or is declared `class` or is a
//    template instantiation (BTF the kernel rejects);
//  - reference parameters of functions that keep their BTF (global or
//    noinline functions, programs); a program that is a member function,
//    a template or an overload;
//  - globals that need a constructor at run time;
//  - BTF attributes clang ignores in C++ (preserve_access_index,
//    btf_decl_tag, btf_type_tag and libbpf's __kptr).
// The analysis also says what the object needs (object_plan): functions get
// their plain names, file-scope globals keep C's external linkage, and
// bpfkit/test.h annotations become BTF decl tags.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compile_command.hpp"
#include "findings.hpp"

namespace bpfkit::check {

struct object_plan {
  // Symbol names C++ mangled -> the plain name BTF already gives them.
  std::map<std::string, std::string> function_names;
  // File-scope variables that C++ gave internal linkage (a const global, a
  // map of an unnamed struct type) and C would not.
  std::set<std::string> make_global;
  // (program name, "bpfkit:<key>=<value>") from bpfkit/test.h annotations.
  std::vector<std::pair<std::string, std::string>> annotations;
  // Where each function, variable and record is declared, by symbol name
  // (mangled and plain) and by record name: for the object checks' messages.
  std::map<std::string, source_location> declarations;
};

struct source_analysis {
  std::vector<finding> findings;
  object_plan plan;
  std::vector<std::string> parse_errors;  // the source does not parse (clang's errors)
};

// Parses the source of `command` with bpfkit-check's clang (its builtin
// headers in `resource_dir`) and runs every check.
source_analysis analyze_source(const compile_command &command, const std::string &resource_dir);

}  // namespace bpfkit::check
