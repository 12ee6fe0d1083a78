// The names requirements use, shared by the parser and the probes.
#pragma once

#include <string>
#include <vector>

namespace bpfkit::requirements {

// libbpf's names of program and map types, indexed by enum value.
std::vector<std::string> program_type_names();
std::vector<std::string> map_type_names();
// Helpers as BPF C calls them ("bpf_loop"), indexed by enum bpf_func_id; ids
// no name is known for are empty.
std::vector<std::string> helper_names();

}  // namespace bpfkit::requirements
