// Verifier budgets in GoogleTest:
//
//   EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 100);
//
// fails, when the verifier processed more instructions than the budget, with
//   verified instructions of count_packets: expected at most 100, found 137
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "bpfkit/program.hpp"

namespace bpfkit::testing::detail {

// The predicate-formatter behind the macros (for EXPECT_PRED_FORMAT2).
::testing::AssertionResult verified_insns_le(const char* program_text, const char* budget_text,
                                             const ::bpfkit::program& program,
                                             std::uint64_t budget);

}  // namespace bpfkit::testing::detail

// `program`: a loaded bpfkit::program (skel.progs.<prog>); `budget`: the
// most instructions the verifier may process (bpfkit::program::verified_insns()).
#define EXPECT_VERIFIED_INSNS_LE(program, budget) \
  EXPECT_PRED_FORMAT2(::bpfkit::testing::detail::verified_insns_le, program, budget)
#define ASSERT_VERIFIED_INSNS_LE(program, budget) \
  ASSERT_PRED_FORMAT2(::bpfkit::testing::detail::verified_insns_le, program, budget)
