// Converting a BPF object between little- and big-endian byte order.
//
// libbpf 1.1's linker links only objects in the host's byte order. A
// big-endian object (clang -target bpfeb, for s390x) is linked by converting
// its inputs to the host's order, linking, and converting the result back.
// That is sound because the linker interprets only structures whose layout
// is known, and the conversion swaps exactly those, field by field:
//   - the ELF header, section headers, symbols and relocations;
//   - instructions in executable sections (the offset and immediate fields
//     and the register nibbles; the opcode byte has no byte order);
//   - .BTF (header, types and their member/parameter/... records; not the
//     strings) and .BTF.ext (header and every record, all 32-bit fields).
// Every other section (.data, .rodata, .maps, license, ...) is opaque data
// meant for the target: it keeps its bytes, and the linker copies it as is.
// The file's layout does not change; the conversion is its own inverse.
#pragma once

#include <string>

namespace bpfkit::link {

// Converts `object`, a BPF ELF object checked by object_check, to the other
// byte order in place.
void swap_byte_order(std::string &object);

}  // namespace bpfkit::link
