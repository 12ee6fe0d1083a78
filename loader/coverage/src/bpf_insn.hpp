// BPF instructions as the instrumenter reads and writes them: the encoding
// (include/uapi/linux/bpf.h, kept here so that older system headers do not
// limit what can be decoded) and which registers each instruction reads and
// writes.
#pragma once

#include <cstdint>
#include <optional>

namespace bpfkit::coverage::detail {

struct bpf_insn {
  std::uint8_t code = 0;
  std::uint8_t regs = 0;  // dst in the low nibble, src in the high one (little-endian objects)
  std::int16_t off = 0;
  std::int32_t imm = 0;

  unsigned dst() const { return regs & 0x0f; }
  unsigned src() const { return regs >> 4; }
  void set_regs(unsigned dst, unsigned src) { regs = static_cast<std::uint8_t>((src << 4) | dst); }
};
static_assert(sizeof(bpf_insn) == 8);

namespace op {
// classes
constexpr std::uint8_t ld = 0x00, ldx = 0x01, st = 0x02, stx = 0x03, alu = 0x04, jmp = 0x05,
                       jmp32 = 0x06, alu64 = 0x07;
// sizes, modes, sources
constexpr std::uint8_t dw = 0x18, imm_mode = 0x00, abs_mode = 0x20, ind_mode = 0x40, mem = 0x60,
                       memsx = 0x80, atomic = 0xc0, x_source = 0x08;
// ALU operations
constexpr std::uint8_t add = 0x00, neg = 0x80, mov = 0xb0, end = 0xd0;
// jump operations
constexpr std::uint8_t ja = 0x00, call = 0x80, exit = 0x90, jcond = 0xe0;
// atomic immediates
constexpr std::int32_t fetch = 0x01, cmpxchg = 0xf1, load_acquire = 0x100, store_release = 0x110;
// src_reg of special instructions
constexpr unsigned pseudo_call = 1, pseudo_func = 4;
constexpr std::int32_t helper_tail_call = 12;
}  // namespace op

inline std::uint8_t insn_class(const bpf_insn &i) { return i.code & 0x07; }
inline std::uint8_t insn_op(const bpf_insn &i) { return i.code & 0xf0; }
inline bool is_ld_imm64(const bpf_insn &i) { return i.code == (op::ld | op::imm_mode | op::dw); }
inline bool is_jump_class(const bpf_insn &i) {
  return insn_class(i) == op::jmp || insn_class(i) == op::jmp32;
}
inline bool is_call(const bpf_insn &i) { return i.code == (op::jmp | op::call); }
inline bool is_exit(const bpf_insn &i) { return i.code == (op::jmp | op::exit); }
inline bool is_goto(const bpf_insn &i) { return is_jump_class(i) && insn_op(i) == op::ja; }
inline bool is_conditional_jump(const bpf_insn &i) {
  return is_jump_class(i) && insn_op(i) != op::ja && insn_op(i) != op::call && insn_op(i) != op::exit;
}
inline bool is_tail_call(const bpf_insn &i) { return is_call(i) && i.src() == 0 && i.imm == op::helper_tail_call; }

// The jump's target as an instruction index, for an instruction at `index`.
// `gotol` (BPF_JMP32 | BPF_JA) keeps its offset in imm.
inline std::int64_t jump_target(const bpf_insn &i, std::int64_t index) {
  if (insn_class(i) == op::jmp32 && insn_op(i) == op::ja) return index + i.imm + 1;
  return index + i.off + 1;
}

// Registers as bit sets (bit n is rn; r10 never appears).
using reg_set = std::uint16_t;
constexpr reg_set reg(unsigned r) { return static_cast<reg_set>(1u << r); }
constexpr reg_set call_args = reg(1) | reg(2) | reg(3) | reg(4) | reg(5);
constexpr reg_set all_regs = 0x03ff;  // r0..r9

struct reg_effect {
  reg_set reads = 0;
  reg_set writes = 0;  // includes registers a call leaves unreadable
};

// What the instruction reads and writes. std::nullopt for an encoding the
// instrumenter does not know: it then leaves the function alone.
std::optional<reg_effect> effect_of(const bpf_insn &i);

}  // namespace bpfkit::coverage::detail
