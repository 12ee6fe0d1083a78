#include "bpfkit/inspect/reachability.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>

namespace bpfkit::inspect {
namespace {

constexpr std::uint8_t pseudo_call = 1;  // BPF_PSEUDO_CALL
constexpr std::uint8_t pseudo_func = 4;  // BPF_PSEUDO_FUNC
constexpr int frame_pointer = 10;

using value = std::optional<std::uint64_t>;
using registers = std::array<value, 11>;

bool wide_load(const bpf_insn &i) { return i.code == (BPF_LD | BPF_IMM | BPF_DW); }

// Merges `incoming` into `state`; true when `state` changed.
bool merge(std::optional<registers> &state, const registers &incoming) {
  if (!state) {
    state = incoming;
    return true;
  }
  bool changed = false;
  for (std::size_t r = 0; r < incoming.size(); ++r)
    if ((*state)[r] && (*state)[r] != incoming[r]) {
      (*state)[r].reset();
      changed = true;
    }
  return changed;
}

std::uint64_t sign_extend(std::uint64_t v, int bits) {
  const std::uint64_t m = 1ull << (bits - 1);
  v &= bits == 64 ? ~0ull : (1ull << bits) - 1;
  return (v ^ m) - m;
}

// The result of an ALU instruction, or nothing when it is unknown.
value alu(const bpf_insn &i, value dst, value src) {
  const bool is64 = BPF_CLASS(i.code) == BPF_ALU64;
  const std::uint8_t op = BPF_OP(i.code);
  auto fit = [is64](std::uint64_t v) -> value { return is64 ? v : v & 0xffffffffull; };
  if (op == BPF_MOV) {
    if (!src) return {};
    if (i.off == 8 || i.off == 16 || i.off == 32) return fit(sign_extend(*src, i.off));  // movsx
    return fit(*src);
  }
  if (op == BPF_NEG) return dst ? fit(0 - *dst) : value{};
  if (op == BPF_END) return {};
  if (!dst || !src) return {};
  std::uint64_t a = *dst, b = *src;
  if (!is64) {
    a &= 0xffffffffull;
    b &= 0xffffffffull;
  }
  const unsigned bits = is64 ? 64 : 32;
  switch (op) {
    case BPF_ADD: return fit(a + b);
    case BPF_SUB: return fit(a - b);
    case BPF_MUL: return fit(a * b);
    case BPF_OR: return fit(a | b);
    case BPF_AND: return fit(a & b);
    case BPF_XOR: return fit(a ^ b);
    case BPF_LSH: return fit(a << (b & (bits - 1)));
    case BPF_RSH: return fit(a >> (b & (bits - 1)));
    case BPF_ARSH:
      return fit(static_cast<std::uint64_t>(static_cast<std::int64_t>(sign_extend(a, static_cast<int>(bits))) >>
                                            (b & (bits - 1))));
    case BPF_DIV:
      if (i.off != 0) return {};  // signed division
      return fit(b == 0 ? 0 : a / b);
    case BPF_MOD:
      if (i.off != 0) return {};
      return fit(b == 0 ? a : a % b);
    default:
      return {};
  }
}

// Whether a conditional jump is taken, or nothing when it cannot be told.
std::optional<bool> decide(const bpf_insn &i, value dst, value src) {
  if (!dst || !src) return {};
  const bool is32 = BPF_CLASS(i.code) == BPF_JMP32;
  std::uint64_t a = *dst, b = *src;
  std::int64_t sa = static_cast<std::int64_t>(a), sb = static_cast<std::int64_t>(b);
  if (is32) {
    a &= 0xffffffffull;
    b &= 0xffffffffull;
    sa = static_cast<std::int32_t>(a);
    sb = static_cast<std::int32_t>(b);
  }
  switch (BPF_OP(i.code)) {
    case BPF_JEQ: return a == b;
    case BPF_JNE: return a != b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JLT: return a < b;
    case BPF_JLE: return a <= b;
    case BPF_JSGT: return sa > sb;
    case BPF_JSGE: return sa >= sb;
    case BPF_JSLT: return sa < sb;
    case BPF_JSLE: return sa <= sb;
    case BPF_JSET: return (a & b) != 0;
    default: return {};
  }
}

}  // namespace

std::vector<bool> reachable_in_function(std::span<const bpf_insn> code,
                                        const std::function<void(std::size_t)> &on_call) {
  std::vector<bool> reached(code.size(), false);
  std::vector<std::optional<registers>> states(code.size());
  std::set<std::size_t> calls;
  std::deque<std::size_t> work;
  auto flow = [&](std::size_t to, const registers &regs) {
    if (to >= code.size()) return;
    if (merge(states[to], regs)) work.push_back(to);
  };
  if (!code.empty()) flow(0, registers{});

  while (!work.empty()) {
    const std::size_t pc = work.front();
    work.pop_front();
    reached[pc] = true;
    registers regs = *states[pc];
    const bpf_insn &i = code[pc];
    const std::uint8_t cls = BPF_CLASS(i.code);
    auto source = [&]() -> value {
      if (BPF_SRC(i.code) == BPF_K) return static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm));
      return i.src_reg < regs.size() ? regs[i.src_reg] : value{};
    };
    auto set = [&](std::uint8_t reg, value v) {
      if (reg < regs.size() && reg != frame_pointer) regs[reg] = v;
    };

    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        set(i.dst_reg, alu(i, i.dst_reg < regs.size() ? regs[i.dst_reg] : value{}, source()));
        flow(pc + 1, regs);
        break;
      case BPF_LD:
        if (wide_load(i)) {
          if (i.src_reg == pseudo_func && calls.insert(pc).second) on_call(pc);
          value v;
          if (i.src_reg == 0 && pc + 1 < code.size())
            v = static_cast<std::uint32_t>(i.imm) | static_cast<std::uint64_t>(static_cast<std::uint32_t>(code[pc + 1].imm)) << 32;
          set(i.dst_reg, v);
          if (pc + 1 < code.size()) reached[pc + 1] = true;
          flow(pc + 2, regs);
        } else {  // legacy packet loads write r0
          set(0, {});
          flow(pc + 1, regs);
        }
        break;
      case BPF_LDX:
        set(i.dst_reg, {});
        flow(pc + 1, regs);
        break;
      case BPF_ST:
        flow(pc + 1, regs);
        break;
      case BPF_STX:
        if (BPF_MODE(i.code) == BPF_ATOMIC) {
          if (i.imm == BPF_CMPXCHG) set(0, {});
          else if (i.imm & BPF_FETCH) set(i.src_reg, {});
        }
        flow(pc + 1, regs);
        break;
      case BPF_JMP:
      case BPF_JMP32: {
        const std::uint8_t op = BPF_OP(i.code);
        if (op == BPF_EXIT && cls == BPF_JMP) break;
        if (op == BPF_CALL && cls == BPF_JMP) {
          if (i.src_reg == pseudo_call && calls.insert(pc).second) on_call(pc);
          for (std::uint8_t r = 0; r <= 5; ++r) set(r, {});
          flow(pc + 1, regs);
          break;
        }
        if (op == BPF_JA) {
          const std::int64_t offset = cls == BPF_JMP32 ? i.imm : i.off;
          flow(static_cast<std::size_t>(static_cast<std::int64_t>(pc) + 1 + offset), regs);
          break;
        }
        const std::size_t taken = static_cast<std::size_t>(static_cast<std::int64_t>(pc) + 1 + i.off);
        const auto outcome = decide(i, i.dst_reg < regs.size() ? regs[i.dst_reg] : value{}, source());
        if (!outcome || *outcome) flow(taken, regs);
        if (!outcome || !*outcome) flow(pc + 1, regs);
        break;
      }
      default:
        flow(pc + 1, regs);
    }
  }
  return reached;
}

std::map<std::string, std::vector<bool>> reachable_instructions(
    const object_file &object, const std::map<std::string, std::vector<bpf_insn>> &code) {
  std::map<std::string, std::vector<bool>> reached;
  for (const auto &[section, insns] : code) reached[section].assign(insns.size(), false);
  std::set<std::string> done;
  std::deque<const function_symbol *> work;
  for (const function_symbol &f : object.functions())
    if (f.program) work.push_back(&f);
  while (!work.empty()) {
    const function_symbol *f = work.front();
    work.pop_front();
    if (!done.insert(f->name).second) continue;
    auto insns = code.find(f->section);
    if (insns == code.end() || f->first_insn >= insns->second.size()) continue;
    const std::size_t count = std::min<std::size_t>(f->insn_count, insns->second.size() - f->first_insn);
    const std::span<const bpf_insn> body(insns->second.data() + f->first_insn, count);
    const auto local = reachable_in_function(body, [&](std::size_t i) {
      if (const function_symbol *callee = object.call_target(f->section, f->first_insn + static_cast<std::uint32_t>(i)))
        work.push_back(callee);
    });
    auto &marks = reached[f->section];
    for (std::size_t i = 0; i < local.size(); ++i)
      if (local[i]) marks[f->first_insn + i] = true;
  }
  return reached;
}

}  // namespace bpfkit::inspect
