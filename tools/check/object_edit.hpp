// Gives the object of a C++ BPF source the names and linkage a C object
// would have, so that the link step, libbpf, the skeleton and the kernel
// see what they see for C:
//  - function symbols get their plain names (the names their BTF already
//    has): `SEC("xdp") int count(...)` is program `count`, not
//    `_Z5countP6xdp_md`, and bpf_linker finds the BTF of global functions;
//  - file-scope variables C++ gave internal linkage (const globals, maps of
//    an unnamed struct type) become global again, symbol and BTF;
//  - bpfkit/test.h annotations (`annotate` attributes in C++, since clang
//    drops btf_decl_tag there) become the BTF decl tags C would have, which
//    the test runner reads.
// The object is rewritten atomically; on error it is left as it was.
#pragma once

#include <string>

#include "source_checks.hpp"

namespace bpfkit::check {

// Applies `plan` to the ELF object at `path`. Throws tools::tool_error
// naming the object when it cannot (malformed ELF, a rename that collides).
void edit_object(const std::string &path, const object_plan &plan);

}  // namespace bpfkit::check
