// C++ views of libbpf's BPF-side headers.
//
// libbpf's bpf_helpers.h, bpf_helper_defs.h, bpf_core_read.h,
// bpf_tracing.h and bpf_endian.h are C. A handful of their lines are not
// valid C++, and the view of each header is the header itself with those
// lines rewritten:
//  - helper declarations `static long (*bpf_x)(...) = (void *) N;`: C++
//    converts no void * to a function pointer, so the initializer becomes
//    `(__typeof__(bpf_x)) N` (still a constant: `call N`, no initializer
//    code);
//  - `__type(name, T)` and `__array(name, T)` take a type with commas
//    (`std::pair<int, int>`-like templates);
//  - NULL is `__null`, offsetof is `__builtin_offsetof`, container_of and
//    the CO-RE bitfield reads do no arithmetic on void *, and the
//    printf-style macros convert their arguments to u64 explicitly;
//  - BPF_PROG, BPF_KPROBE and friends pass each context word through a
//    value that converts to the declared parameter type, where C converts
//    the `(void *)` it passes implicitly.
// Every rewrite must find its line: a libbpf whose headers changed shape is
// an error naming the header and the rule, never a half-converted view.
// In C, a view includes the header it views (#include_next), so one include
// path serves the C and C++ sources of an object.
#pragma once

#include <map>
#include <string>

namespace bpfkit::cxx {

// The headers a view is made of, relative to the include root (bpf/...).
extern const char *const viewed_headers[5];

// The C++ view of one libbpf header, from its text. `header` is one of
// viewed_headers. Throws tools::tool_error naming `path` when a rewrite
// finds nothing to rewrite.
std::string cxx_view(const std::string &header, const std::string &text, const std::string &path);

}  // namespace bpfkit::cxx
