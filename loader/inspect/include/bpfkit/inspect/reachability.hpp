// Which instructions the verifier can reach once CO-RE relocations are
// applied. libbpf poisons a relocation it cannot resolve; the verifier then
// rejects the program only if the poisoned instruction is reachable, and a
// guard such as `if (bpf_core_field_exists(...))` makes it unreachable
// because the guard's relocated value is a constant. This follows constants
// through registers (moves, arithmetic, 64-bit immediate loads) and drops
// the branches they decide, as the verifier's dead code elimination does;
// values behind memory are unknown.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "bpfkit/inspect/object_file.hpp"

namespace bpfkit::inspect {

// Reachable instructions of one function's code, entered at index 0 with
// unknown registers. `on_call(i)` is told about each reachable instruction
// that calls or references another function (a bpf-to-bpf call or a
// callback's address), once per instruction.
std::vector<bool> reachable_in_function(std::span<const bpf_insn> code,
                                        const std::function<void(std::size_t)> &on_call);

// Reachable instructions of every executable section of `object`, whose
// (patched) code is `code`, from the entries of its programs and through the
// calls between its functions.
std::map<std::string, std::vector<bool>> reachable_instructions(
    const object_file &object, const std::map<std::string, std::vector<bpf_insn>> &code);

}  // namespace bpfkit::inspect
