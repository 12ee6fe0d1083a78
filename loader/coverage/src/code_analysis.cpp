#include "code_analysis.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace bpfkit::coverage::detail {

std::optional<reg_effect> effect_of(const bpf_insn &i) {
  const unsigned d = i.dst(), s = i.src();
  auto r = [](unsigned n) { return n < 10 ? reg(n) : reg_set{0}; };
  const bool x = (i.code & op::x_source) != 0;
  const std::uint8_t mode = i.code & 0xe0;
  switch (insn_class(i)) {
    case op::alu:
    case op::alu64: {
      const std::uint8_t o = insn_op(i);
      if (d == 10) return std::nullopt;  // nothing writes r10
      if (o == op::mov) return reg_effect{x ? r(s) : reg_set{0}, r(d)};
      if (o == op::neg || o == op::end) return reg_effect{r(d), r(d)};
      if (o > op::end) return std::nullopt;
      return reg_effect{static_cast<reg_set>(r(d) | (x ? r(s) : 0)), r(d)};
    }
    case op::ldx:
      if ((mode != op::mem && mode != op::memsx) || d == 10) return std::nullopt;
      return reg_effect{r(s), r(d)};
    case op::st:
      if (mode != op::mem) return std::nullopt;
      return reg_effect{r(d), 0};
    case op::stx:
      if (mode == op::mem) return reg_effect{static_cast<reg_set>(r(d) | r(s)), 0};
      if (mode != op::atomic) return std::nullopt;
      if (i.imm == op::load_acquire) return reg_effect{r(s), r(d)};
      if (i.imm == op::store_release) return reg_effect{static_cast<reg_set>(r(d) | r(s)), 0};
      if (i.imm == op::cmpxchg) return reg_effect{static_cast<reg_set>(r(d) | r(s) | reg(0)), reg(0)};
      switch (i.imm & ~op::fetch) {
        case 0x00: case 0x40: case 0x50: case 0xa0: case 0xe0:  // add, or, and, xor, xchg
          return reg_effect{static_cast<reg_set>(r(d) | r(s)), (i.imm & op::fetch) ? r(s) : reg_set{0}};
        default:
          return std::nullopt;
      }
    case op::ld:
      if (is_ld_imm64(i)) return reg_effect{0, r(d)};
      if (mode == op::abs_mode || mode == op::ind_mode)  // legacy packet loads: ctx in r6, clobber like a call
        return reg_effect{static_cast<reg_set>(reg(6) | (mode == op::ind_mode ? r(s) : 0)),
                          static_cast<reg_set>(reg(0) | call_args)};
      return std::nullopt;
    case op::jmp:
    case op::jmp32: {
      const std::uint8_t o = insn_op(i);
      if (o == op::ja || o == op::jcond) return reg_effect{};
      if (o == op::call || o == op::exit) {
        if (insn_class(i) != op::jmp) return std::nullopt;
        if (o == op::exit) return reg_effect{reg(0), 0};
        return reg_effect{call_args, static_cast<reg_set>(reg(0) | call_args)};
      }
      return reg_effect{static_cast<reg_set>(r(d) | (x ? r(s) : 0)), 0};
    }
  }
  return std::nullopt;
}

namespace {

// Where a register points relative to r10, for the stack-depth estimate.
struct frame_value {
  enum kind_t : std::uint8_t { none, known, unknown } kind = none;
  std::int64_t offset = 0;
  bool operator==(const frame_value &) const = default;
};
using frame_state = std::array<frame_value, 11>;

frame_value meet(const frame_value &a, const frame_value &b) {
  if (a == b) return a;
  if (a.kind == frame_value::none && b.kind == frame_value::none) return a;
  return {frame_value::unknown, 0};
}

// Successor instruction indexes of instruction `index` (within the function).
std::vector<std::int64_t> successors(std::span<const bpf_insn> code, std::size_t index) {
  const bpf_insn &i = code[index];
  if (is_exit(i)) return {};
  if (is_goto(i)) return {jump_target(i, static_cast<std::int64_t>(index))};
  const std::int64_t next = static_cast<std::int64_t>(index) + (is_ld_imm64(i) ? 2 : 1);
  if (is_conditional_jump(i)) return {next, jump_target(i, static_cast<std::int64_t>(index))};
  return {next};
}

}  // namespace

analysis_result analyse_function(std::span<const bpf_insn> code) {
  const std::size_t n = code.size();
  analysis_result result;
  if (n == 0) {
    result.problem = "the function has no instructions";
    return result;
  }

  // Instruction boundaries (the second half of an ld_imm64 is not one) and
  // each instruction's register effect.
  std::vector<bool> is_start(n, true);
  std::vector<reg_effect> effects(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_start[k]) continue;
    const auto e = effect_of(code[k]);
    if (!e) {
      result.problem = "instruction " + std::to_string(k) + " has an encoding coverage does not know (code 0x" +
                       [&] { char b[3]; std::snprintf(b, sizeof b, "%02x", code[k].code); return std::string(b); }() + ")";
      return result;
    }
    effects[k] = *e;
    if (is_ld_imm64(code[k])) {
      if (k + 1 >= n) {
        result.problem = "the function ends inside an ld_imm64 instruction";
        return result;
      }
      is_start[k + 1] = false;
    }
  }

  // Basic blocks: the entry, jump targets, and whatever follows a jump, an
  // exit or a tail call (which does not return when it succeeds).
  std::vector<bool> leader(n, false);
  leader[0] = true;
  function_code fn;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_start[k]) continue;
    const bpf_insn &i = code[k];
    if (is_goto(i) || is_conditional_jump(i)) {
      const std::int64_t target = jump_target(i, static_cast<std::int64_t>(k));
      if (target < 0 || target >= static_cast<std::int64_t>(n) || !is_start[target]) {
        result.problem = "instruction " + std::to_string(k) + " jumps outside the function";
        return result;
      }
      leader[target] = true;
      if (is_conditional_jump(i)) fn.conditional_jumps.push_back(static_cast<std::uint32_t>(k));
    }
    const std::size_t next = k + (is_ld_imm64(i) ? 2 : 1);
    if ((is_goto(i) || is_conditional_jump(i) || is_exit(i) || is_tail_call(i)) && next < n) leader[next] = true;
  }
  fn.block_of.assign(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    if (leader[k]) {
      if (!fn.blocks.empty()) fn.blocks.back().end = static_cast<std::uint32_t>(k);
      fn.blocks.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(n), 0});
    }
    fn.block_of[k] = static_cast<std::uint32_t>(fn.blocks.size() - 1);
  }

  // Register liveness, backwards to a fixed point.
  std::vector<reg_set> live_in(n + 1, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t k = n; k-- > 0;) {
      if (!is_start[k]) continue;
      reg_set out = 0;
      for (std::int64_t s : successors(code, k))
        if (s >= 0 && s < static_cast<std::int64_t>(n)) out |= live_in[s];
      const reg_set in = static_cast<reg_set>(effects[k].reads | (out & ~effects[k].writes));
      if (in != live_in[k]) {
        live_in[k] = in;
        changed = true;
      }
    }
  }
  for (basic_block &b : fn.blocks) b.live_in = live_in[b.start];

  // Stack depth: r10-relative accesses, and registers derived from r10 by
  // constant offsets (forward, to a fixed point over the control flow).
  std::vector<std::optional<frame_state>> state_in(n);
  state_in[0].emplace();
  std::int64_t depth = 0;
  auto note_access = [&](const frame_value &base, std::int64_t off) {
    if (base.kind == frame_value::known) depth = std::max(depth, -(base.offset + off));
    if (base.kind == frame_value::unknown) fn.stack_depth_known = false;
  };
  std::vector<std::size_t> work{0};
  while (!work.empty()) {
    const std::size_t k = work.back();
    work.pop_back();
    frame_state st = *state_in[k];
    st[10] = {frame_value::known, 0};
    const bpf_insn &i = code[k];
    const unsigned d = i.dst(), s = i.src();
    const std::uint8_t cls = insn_class(i);
    if (cls == op::alu64 || cls == op::alu) {
      const std::uint8_t o = insn_op(i);
      const bool x = (i.code & op::x_source) != 0;
      if (cls == op::alu64 && o == op::mov && x && i.off == 0) {
        st[d] = st[s];
      } else if (cls == op::alu64 && (o == op::add || o == 0x10) && !x && st[d].kind == frame_value::known) {
        st[d].offset += (o == op::add ? i.imm : -static_cast<std::int64_t>(i.imm));
        note_access(st[d], 0);
      } else if (st[d].kind != frame_value::none || (x && st[s].kind != frame_value::none)) {
        st[d] = {frame_value::unknown, 0};
      } else {
        st[d] = {};
      }
    } else if (cls == op::ldx) {
      note_access(st[s], i.off);
      st[d] = {};
    } else if (cls == op::st) {
      note_access(st[d], i.off);
    } else if (cls == op::stx) {
      note_access(st[d], i.off);
      if (st[s].kind != frame_value::none) fn.stack_depth_known = false;  // a frame pointer stored away
      if ((i.code & 0xe0) == op::atomic && ((i.imm & op::fetch) || i.imm == op::load_acquire)) {
        st[i.imm == op::load_acquire ? d : s] = {};
        if (i.imm == op::cmpxchg) st[0] = {};
      }
    } else if (cls == op::ld) {
      st[d] = {};
      if (!is_ld_imm64(i)) {
        for (unsigned r = 0; r <= 5; ++r) st[r] = {};
      }
    } else if (is_call(i)) {
      for (unsigned r = 1; r <= 5; ++r) note_access(st[r], 0);
      for (unsigned r = 0; r <= 5; ++r) st[r] = {};
    }
    for (std::int64_t next : successors(code, k)) {
      if (next < 0 || next >= static_cast<std::int64_t>(n)) continue;
      if (!state_in[next]) {
        state_in[next] = st;
        work.push_back(static_cast<std::size_t>(next));
        continue;
      }
      frame_state merged;
      for (std::size_t r = 0; r < merged.size(); ++r) merged[r] = meet((*state_in[next])[r], st[r]);
      if (merged != *state_in[next]) {
        state_in[next] = merged;
        work.push_back(static_cast<std::size_t>(next));
      }
    }
  }
  fn.stack_depth = static_cast<std::uint32_t>(std::max<std::int64_t>(depth, 0));
  result.code = std::move(fn);
  return result;
}

}  // namespace bpfkit::coverage::detail
