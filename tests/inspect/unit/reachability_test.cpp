// inspect.unit.Reachability*: which instructions the verifier can reach
// once relocations are applied (what tells "fails, guarded" from "fails").
#include <gtest/gtest.h>

#include <vector>

#include "bpfkit/inspect/core.hpp"
#include "bpfkit/inspect/reachability.hpp"

namespace {

using bpfkit::inspect::reachable_in_function;

bpf_insn mov(std::uint8_t dst, std::int32_t imm, bool wide = true) {
  return {static_cast<std::uint8_t>((wide ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_K), dst, 0, 0, imm};
}
bpf_insn alu(std::uint8_t op, std::uint8_t dst, std::int32_t imm) {
  return {static_cast<std::uint8_t>(BPF_ALU64 | op | BPF_K), dst, 0, 0, imm};
}
bpf_insn jump_if(std::uint8_t op, std::uint8_t dst, std::int32_t imm, std::int16_t off, bool wide = true) {
  return {static_cast<std::uint8_t>((wide ? BPF_JMP : BPF_JMP32) | op | BPF_K), dst, 0, off, imm};
}
bpf_insn load(std::uint8_t dst, std::uint8_t src, std::int16_t off) {
  return {BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0};
}
bpf_insn call(std::int32_t helper) { return {BPF_JMP | BPF_CALL, 0, 0, 0, helper}; }
bpf_insn poison() { return call(0xbad2310); }
bpf_insn exit_insn() { return {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}; }

std::vector<bool> reach(const std::vector<bpf_insn> &code) {
  return reachable_in_function(code, [](std::size_t) {});
}

TEST(Reachability, GuardRelocatedToZeroMakesTheReadDead) {
  // if (bpf_core_field_exists(...)) read;  with the exists relocated to 0
  const std::vector<bpf_insn> code = {mov(1, 0), jump_if(BPF_JEQ, 1, 0, 2), poison(), load(0, 1, 0),
                                      mov(0, 0), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, false, false, true, true}));
}

TEST(Reachability, GuardRelocatedToOneKeepsTheRead) {
  const std::vector<bpf_insn> code = {mov(1, 1), jump_if(BPF_JEQ, 1, 0, 2), poison(), load(0, 1, 0),
                                      mov(0, 0), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, true, true, true, true}));
}

TEST(Reachability, UnknownValuesTakeBothBranches) {
  const std::vector<bpf_insn> code = {load(1, 10, -8), jump_if(BPF_JNE, 1, 0, 1), poison(), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, true, true}));
}

TEST(Reachability, ConstantsFlowThroughArithmeticAnd32BitCompares) {
  // w2 = 5; r2 <<= 1; if w2 > 9 goto +1; poison; exit
  const std::vector<bpf_insn> code = {mov(2, 5, false), alu(BPF_LSH, 2, 1), jump_if(BPF_JGT, 2, 9, 1, false),
                                      poison(), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, true, false, true}));
}

TEST(Reachability, HelperCallsForgetArgumentRegisters) {
  // r1 = 0; call 5; if r1 == 0 goto +1; poison; exit: after the call r1 is unknown.
  const std::vector<bpf_insn> code = {mov(1, 0), call(5), jump_if(BPF_JEQ, 1, 0, 1), poison(), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, true, true, true}));
  // r6 survives calls.
  const std::vector<bpf_insn> kept = {mov(6, 0), call(5), jump_if(BPF_JEQ, 6, 0, 1), poison(), exit_insn()};
  EXPECT_EQ(reach(kept), (std::vector<bool>{true, true, true, false, true}));
}

TEST(Reachability, MergedPathsKeepOnlyAgreeingConstants) {
  // r1 = 0 or 1 depending on memory; then "if r1 == 0" cannot be decided.
  const std::vector<bpf_insn> code = {load(2, 10, -8),  jump_if(BPF_JEQ, 2, 0, 2), mov(1, 1),
                                      jump_if(BPF_JA, 0, 0, 1), mov(1, 0), jump_if(BPF_JEQ, 1, 0, 1),
                                      poison(),         exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>(8, true)));
}

TEST(Reachability, WideImmediatesAreConstantsAndTakeTwoSlots) {
  const std::vector<bpf_insn> code = {{BPF_LD | BPF_IMM | BPF_DW, 3, 0, 0, 0}, {0, 0, 0, 0, 0},
                                      jump_if(BPF_JEQ, 3, 0, 1), poison(), exit_insn()};
  EXPECT_EQ(reach(code), (std::vector<bool>{true, true, true, false, true}));
}

TEST(Reachability, CallsAndCallbacksAreReported) {
  const std::vector<bpf_insn> code = {{BPF_JMP | BPF_CALL, 0, 1, 0, 2}, {BPF_LD | BPF_IMM | BPF_DW, 2, 4, 0, 16},
                                      {0, 0, 0, 0, 0}, exit_insn()};
  std::vector<std::size_t> calls;
  reachable_in_function(code, [&](std::size_t i) { calls.push_back(i); });
  EXPECT_EQ(calls, (std::vector<std::size_t>{0, 1}));
}

}  // namespace
