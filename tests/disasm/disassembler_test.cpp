// The disassembler prints BPF instructions as LLVM (and the verifier) do.
#include "bpfkit/disassembler.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

using bpfkit::disassembler;

namespace {
// r0 = 2; r1 = 0x1122334455667788 ll; *(u32 *)(r10 - 4) = r1; exit
constexpr std::array<std::uint8_t, 40> program = {
    0xb7, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // r0 = 2
    0x18, 0x01, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55,  // ld_imm64, first half
    0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11,  // second half
    0x63, 0x1a, 0xfc, 0xff, 0x00, 0x00, 0x00, 0x00,  // *(u32 *)(r10 - 4) = r1
    0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // exit
};
}  // namespace

TEST(Disassembler, PrintsInstructionsWithSlotIndexes) {
  disassembler dis;
  auto insns = dis.disassemble(program);
  ASSERT_EQ(insns.size(), 4u);
  EXPECT_EQ(insns[0].text, "r0 = 2");
  EXPECT_EQ(insns[1].index, 1u);
  EXPECT_EQ(insns[1].slots, 2u);
  EXPECT_EQ(insns[1].text, "r1 = 1234605616436508552 ll");
  EXPECT_EQ(insns[2].index, 3u);
  EXPECT_EQ(insns[2].text, "*(u32 *)(r10 - 4) = r1");
  EXPECT_EQ(insns[3].text, "exit");
}

TEST(Disassembler, UndecodableBytesBecomeRawEntries) {
  disassembler dis;
  const std::array<std::uint8_t, 16> junk = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0x95, 0, 0, 0, 0, 0, 0, 0};
  auto insns = dis.disassemble(junk);
  ASSERT_EQ(insns.size(), 2u);
  EXPECT_EQ(insns[0].text, ".insn ffffffffffffffff");
  EXPECT_EQ(insns[1].text, "exit");
}

TEST(Disassembler, IgnoresATrailingPartialSlot) {
  disassembler dis;
  auto insns = dis.disassemble(std::span(program).first(12));
  ASSERT_EQ(insns.size(), 1u);
}
