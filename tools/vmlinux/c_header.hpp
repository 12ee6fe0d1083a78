// Renders BTF as a C header, the way `bpftool btf dump file X format c` does.
#pragma once

#include <string>

struct btf;

namespace bpfkit::tools {

// Every type of `b` (base types included, for split BTF) in ID order, between
// the __VMLINUX_H__ guard and the preserve_access_index pragma, so that BPF
// programs reading kernel structs get CO-RE relocations.
// Throws tool_error naming `source` when libbpf cannot render a type.
std::string render_c_header(const btf &b, const std::string &source);

}  // namespace bpfkit::tools
