// Renders BTF as vmlinux.h for C++ BPF sources (bpfkit-vmlinux --cxx).
//
// The C header (c_header.hpp) is not valid C++: kernel types use C++
// keywords as member names (`private`, `class`, `new`), `_Bool`, and empty
// structs, which are 0 bytes in GNU C but 1 byte in C++. And clang ignores
// preserve_access_index in C++, so a direct read of a kernel struct field
// would be compiled with this kernel's fixed offset. This header:
//  - spells every kernel type so that C++ lays it out exactly as its BTF
//    says (empty members [[no_unique_address]], explicit padding, packed
//    where the kernel packed), and proves it with static_asserts on every
//    struct's size and member offsets;
//  - renames what C++ cannot spell (a keyword gets a trailing '_') and
//    annotates the renamed declaration "bpfkit:keyword=<C name>";
//  - annotates every kernel record "bpfkit:core" (unless
//    BPF_NO_PRESERVE_ACCESS_INDEX is defined, as in C), except the context
//    and packet structs whose layout is kernel ABI (stable_abi_record):
//    bpfkit-check makes a direct field access to an annotated record a
//    build error naming the line and the fix.
#pragma once

#include <string>
#include <string_view>

struct btf;

namespace bpfkit::tools {

// True for a struct whose layout the kernel keeps stable for BPF programs
// and user space (UAPI program contexts, packet headers): C++ may read its
// fields at fixed offsets, as C does through linux/bpf.h.
bool stable_abi_record(std::string_view name);

// Every type of `b` as C++, followed by the layout checks. Deterministic.
// Throws tool_error naming `source` when a type cannot be expressed in C++
// with its BTF layout.
std::string render_cxx_header(const btf &b, const std::string &source);

}  // namespace bpfkit::tools
