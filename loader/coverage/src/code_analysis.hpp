// What the instrumenter needs to know about one function's code: its basic
// blocks, the registers live at each block's start (so counter increments
// can use dead ones), how much stack it uses, and which functions it calls.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpf_insn.hpp"

namespace bpfkit::coverage::detail {

struct basic_block {
  std::uint32_t start = 0;  // instruction index in the function
  std::uint32_t end = 0;    // one past the last
  reg_set live_in = 0;      // registers read before written on some path from `start`
};

struct function_code {
  std::vector<basic_block> blocks;       // in address order; blocks[0] starts at 0
  std::vector<std::uint32_t> block_of;   // instruction index -> index into blocks
  std::vector<std::uint32_t> conditional_jumps;  // instruction indexes
  std::uint32_t stack_depth = 0;         // bytes below r10 the function touches, as far as can be seen
  bool stack_depth_known = true;         // false when r10 escapes in ways not followed
};

// Analyses `code` (the function's instructions). Returns the reason when the
// function cannot be instrumented (an unknown encoding, a jump leaving the
// function, a truncated ld_imm64).
struct analysis_result {
  std::optional<function_code> code;
  std::string problem;
};
analysis_result analyse_function(std::span<const bpf_insn> code);

}  // namespace bpfkit::coverage::detail
