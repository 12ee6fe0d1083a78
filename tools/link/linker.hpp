// libbpf's static linker (bpf_linker), with its messages turned into errors.
#pragma once

#include <string>
#include <vector>

#include "elf_object.hpp"

namespace bpfkit::link {

// Links `inputs` (read and checked by read_bpf_object, all of one byte
// order) and returns the linked object's bytes, in that byte order. libbpf
// resolves extern maps, variables and functions across inputs, merges BTF
// and BTF.ext, and drops DWARF sections and their relocations itself; it
// reads exactly the checked bytes, never the files again. Objects in the
// other byte order than the host's are converted for libbpf and back (see
// byte_order.hpp). Throws tool_error carrying libbpf's own message when it
// refuses an input; `output_name` names the result in messages.
std::string link_objects(const std::vector<elf_object> &inputs, const std::string &output_name);

}  // namespace bpfkit::link
