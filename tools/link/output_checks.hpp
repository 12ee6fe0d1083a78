// Checks on the linked object, before it replaces the build's output.
#pragma once

#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "elf_object.hpp"

namespace bpfkit::link {

// `linked` is the freshly linked object, `inputs` what it was linked from
// (to say which input references an unresolved extern). Reports every extern
// that no input defines and the kernel will not provide at load time.
// Throws std::logic_error (an internal error) if the object lacks .BTF or
// still has DWARF: libbpf's linker is relied on to keep the one and drop the other.
void check_linked_object(const elf_object &linked, const std::vector<elf_object> &inputs,
                         diagnostics &errors);

}  // namespace bpfkit::link
