// libbpf's static linker (bpf_linker), with its messages turned into errors.
#pragma once

#include <string>
#include <vector>

namespace bpfkit::link {

// Links `inputs` into a new ELF file at `output_path`. libbpf resolves
// extern maps, variables and functions across inputs, merges BTF and
// BTF.ext, and drops DWARF sections and their relocations itself.
// Throws tool_error carrying libbpf's own message when it refuses an input.
void link_objects(const std::vector<std::string> &inputs, const std::string &output_path,
                  const std::string &output_name);

}  // namespace bpfkit::link
