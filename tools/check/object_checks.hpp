// Checks of a compiled (and edited) C++ BPF object: the safety net under the
// source checks. Whatever C++ construct produced it, the object must not
// hold what the kernel or libbpf rejects or misreads:
//  - BTF the kernel refuses: a type, function, member or enumerator name
//    that is not an identifier (template instantiations, vtable pointers),
//    a member, variable or parameter of type void (methods, static members,
//    references, classes);
//  - functions that C++ placed in their own COMDAT section (`.text.<name>`,
//    an inline or template function the optimizer did not inline), which
//    libbpf would take for programs;
//  - functions still known by a mangled name.
// Each finding names the function or variable whose BTF holds the problem,
// with its declaration's file and line (from the source analysis).
#pragma once

#include <string>
#include <vector>

#include "findings.hpp"
#include "source_checks.hpp"

namespace bpfkit::check {

std::vector<finding> check_object(const std::string &path, const object_plan &plan);

}  // namespace bpfkit::check
