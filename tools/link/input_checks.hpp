// Checks on the input objects, run before libbpf's linker sees them so that
// common mistakes get a precise message instead of libbpf's generic one.
#pragma once

#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "elf_object.hpp"

namespace bpfkit::link {

// What a symbol is to libbpf, as far as the checks care.
bool is_program(const elf_object &object, const elf_symbol &symbol);
bool is_map(const elf_object &object, const elf_symbol &symbol);

// One input on its own: section names a kernel accepts, has BTF, has no
// host linker sections (C++ autolink), no section aligned to more than a
// page, has no C++ mangled program/map/variable names.
void check_input(const elf_object &object, diagnostics &errors);

// All inputs together: some input has a license, program names are unique.
// `output` names the linked object in messages about the inputs as a whole.
void check_inputs_together(const std::vector<elf_object> &inputs, const std::string &output,
                           diagnostics &errors);

}  // namespace bpfkit::link
