// The rewrite of a BPF object: counters at basic-block starts and on taken
// branches (through a trampoline after the function's code, so every edge
// count is exact), every offset that names an instruction moved to match:
// jumps, bpf-to-bpf calls and callback addresses, relocations, symbols, and
// the .BTF.ext function, line and CO-RE records.
#include "bpfkit/coverage/instrument.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "btf_ext.hpp"
#include "code_analysis.hpp"
#include "elf_object.hpp"

namespace bpfkit::coverage {

// Fills a source_map's private tables (a friend of source_map).
class source_map_builder {
 public:
  explicit source_map_builder(source_map &map) : map_(map) {}
  using line_ref = source_map::line_ref;
  using formula = source_map::formula;

  line_ref line(const std::string &file, std::uint32_t line) {
    auto [it, added] = file_index_.try_emplace(file, static_cast<std::uint32_t>(map_.files_.size()));
    if (added) map_.files_.push_back(file);
    return {it->second, line};
  }
  // Starts the records of one function's code.
  void owner(const std::string &function) {
    owner_ = static_cast<std::uint32_t>(map_.owners_.size());
    map_.owners_.push_back(function);
  }
  void block(formula count, std::vector<line_ref> lines) {
    map_.blocks_.push_back({owner_, std::move(count), std::move(lines)});
  }
  void branch(line_ref where, formula ran, std::uint32_t taken) {
    map_.branches_.push_back({owner_, where, std::move(ran), taken});
  }
  void function(std::string name, line_ref where, std::uint32_t entry) {
    map_.functions_.push_back({owner_, std::move(name), where, entry});
  }
  void counters(std::size_t n) { map_.counters_ = n; }

 private:
  source_map &map_;
  std::map<std::string, std::uint32_t> file_index_;
  std::uint32_t owner_ = 0;
};

namespace {

using namespace detail;

constexpr std::uint32_t r_bpf_64_64 = 1;  // R_BPF_64_64: the ld_imm64 relocation
constexpr std::uint32_t stack_limit = 512;
constexpr std::uint32_t spill_slot = 8;

std::uint32_t round_up(std::uint32_t value, std::uint32_t to) { return (value + to - 1) / to * to; }

// One counter increment: two scratch registers, each either dead at that
// point or saved to a stack slot below what the function uses.
struct probe {
  bool present = true;  // false for a block whose count follows from others
  std::uint32_t counter = 0;
  unsigned scratch[2] = {0, 0};
  bool spilled[2] = {false, false};
  std::uint32_t size() const { return present ? 4 + 2 * (spilled[0] + spilled[1]) : 0; }
  bool spills() const { return present && (spilled[0] || spilled[1]); }
};

// How a block's count follows when it has one way in, so that it needs no
// counter: the fall-through of a branch (the branch block's count minus the
// branch's), a branch's target (the branch's count), or a goto's target
// (the goto block's count).
struct derivation {
  enum kind_t { counted, fall_through, taken, goto_target } kind = counted;
  std::uint32_t from_block = 0;
  std::uint32_t jump = 0;  // index into conditional_jumps
};

std::vector<derivation> derive_blocks(std::span<const bpf_insn> code, const function_code &fn) {
  struct edge {
    std::uint32_t from;
    derivation how;
  };
  std::vector<std::vector<edge>> into(fn.blocks.size());
  const auto &jumps = fn.conditional_jumps;
  for (std::uint32_t b = 0; b < fn.blocks.size(); ++b) {
    std::uint32_t last = fn.blocks[b].start;  // the block's last instruction (not an ld_imm64's second half)
    for (std::uint32_t i = fn.blocks[b].start; i < fn.blocks[b].end; i += is_ld_imm64(code[i]) ? 2 : 1) last = i;
    const bpf_insn &i = code[last];
    const std::uint32_t end = fn.blocks[b].end;
    if (is_conditional_jump(i)) {
      const auto j = static_cast<std::uint32_t>(std::lower_bound(jumps.begin(), jumps.end(), last) - jumps.begin());
      if (end < code.size()) into[fn.block_of[end]].push_back({b, {derivation::fall_through, b, j}});
      into[fn.block_of[jump_target(i, last)]].push_back({b, {derivation::taken, b, j}});
    } else if (is_goto(i)) {
      into[fn.block_of[jump_target(i, last)]].push_back({b, {derivation::goto_target, b, 0}});
    } else if (!is_exit(i) && end < code.size()) {
      // Falling into a jump target (which has another way in), or past a
      // tail call (which leaves the block when it succeeds): counted.
      into[fn.block_of[end]].push_back({b, {derivation::counted, b, 0}});
    }
  }
  std::vector<derivation> how(fn.blocks.size());
  for (std::uint32_t b = 1; b < fn.blocks.size(); ++b)  // the entry is entered by calls too
    if (into[b].size() == 1) how[b] = into[b].front().how;
  return how;
}

probe choose_scratch(reg_set live) {
  probe p;
  const reg_set dead = all_regs & ~live;
  unsigned chosen = 0;
  for (unsigned r = 0; r < 10 && chosen < 2; ++r)
    if (dead & reg(r)) p.scratch[chosen++] = r;
  // Too few dead registers: save live ones (r0 last: it is often not yet set).
  for (unsigned r : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 0u}) {
    if (chosen == 2) break;
    if ((dead & reg(r)) || (chosen == 1 && p.scratch[0] == r)) continue;
    p.scratch[chosen] = r;
    p.spilled[chosen] = true;
    ++chosen;
  }
  return p;
}

struct function_plan {
  std::string name;
  std::size_t section = 0;  // ELF section index
  std::uint32_t first = 0, count = 0;  // original, section instruction indexes
  bool entry_point = false;
  std::optional<function_code> code;
  std::string plain_reason;  // empty when instrumented
  std::vector<probe> block_probes, edge_probes;
  std::vector<derivation> derived;  // per block
  std::uint32_t spill_base = 0;  // slots start this many bytes below r10
  std::set<std::size_t> callees;  // function indexes (calls and callback addresses)

  // Layout, section-relative new instruction indexes.
  std::uint32_t new_first = 0, new_count = 0;
  std::vector<std::uint32_t> new_index;    // per original instruction
  std::vector<std::uint32_t> entry_index;  // where control arriving at it lands (its block's counter)
  std::vector<std::uint32_t> block_at, trampoline_at;

  bool instrumented() const { return plain_reason.empty(); }
  bool spills() const {
    auto any = [](const std::vector<probe> &ps) { return std::any_of(ps.begin(), ps.end(), [](const probe &p) { return p.spills(); }); };
    return instrumented() && (any(block_probes) || any(edge_probes));
  }
  std::uint32_t frame_bytes() const {  // as the verifier sums frames along a call chain
    const std::uint32_t depth = round_up(code ? code->stack_depth : 0, 8) + (spills() ? 2 * spill_slot : 0);
    return round_up(std::max<std::uint32_t>(depth, 1), 32);
  }
};

struct section_plan {
  std::size_t index = 0;
  std::vector<bpf_insn> code;
  std::vector<std::size_t> functions;  // by address
  std::size_t rel_section = 0;
  std::vector<Elf64_Rel> relocations;
  std::map<std::uint32_t, std::size_t> relocation_at;  // instruction -> relocation
  std::vector<std::uint32_t> new_index, entry_index;   // per original instruction, plus the end
  std::uint32_t new_size = 0;
};

class rewriter {
 public:
  rewriter(std::span<const std::byte> bytes, const std::string &name, const instrument_options &options)
      : name_(name), options_(options), elf_(elf_object::parse(bytes, name)) {}

  instrumented_object run();

 private:
  [[noreturn]] void fail(const std::string &what) const { throw error(name_ + ": " + what); }
  void read_inputs();
  void find_functions();
  void plan_probes();
  void fit_call_chains();
  bool lay_out();  // false when a function had to be left plain (redo)
  void emit_code();
  void move_symbols_and_records();
  void add_counters();
  void build_source_map(source_map &map);
  std::vector<program_cost> costs() const;
  std::size_t function_at(std::size_t section, std::int64_t insn) const;
  // Whether the relocation of instruction `insn` names code: an ld_imm64
  // so relocated loads a callback's address (BPF_PSEUDO_FUNC once libbpf
  // is done; clang leaves src_reg 0).
  bool refers_to_code(const section_plan &sec, std::uint32_t insn) const;
  std::uint32_t entry_of(std::size_t section, std::int64_t insn) const;
  void leave_plain(function_plan &f, std::string reason) {
    if (f.instrumented()) f.plain_reason = std::move(reason);
  }

  std::string name_;
  const instrument_options &options_;
  elf_object elf_;
  std::size_t symtab_ = 0, strtab_ = 0, btf_section_ = 0, ext_section_ = 0;
  std::vector<Elf64_Sym> symbols_;
  std::unique_ptr<btf, decltype(&btf__free)> btf_{nullptr, &btf__free};
  std::map<std::string, std::vector<line_record>> lines_;
  std::map<std::size_t, section_plan> sections_;
  std::vector<function_plan> functions_;
  std::uint32_t counters_ = 0;
  std::map<std::size_t, std::vector<Elf64_Rel>> probe_relocations_;  // by code section
};

void rewriter::read_inputs() {
  symtab_ = elf_.symtab();
  if (!symtab_) fail("has no symbol table");
  strtab_ = elf_.sections[symtab_].header.sh_link;
  if (strtab_ == 0 || strtab_ >= elf_.sections.size()) fail("the symbol table names no string table");
  symbols_ = read_table<Elf64_Sym>(elf_.sections[symtab_]);
  if (elf_.find(counter_section)) fail(std::string("is already instrumented (it has a ") + counter_section + " section)");
  btf_section_ = elf_.find(".BTF");
  ext_section_ = elf_.find(".BTF.ext");
  if (!btf_section_ || !ext_section_)
    fail("has no BTF line info (.BTF and .BTF.ext): coverage maps counters to source lines through it. "
         "Compile with -g (bpf_add_object does).");
  const auto &raw = elf_.sections[btf_section_].data;
  btf_.reset(btf__new(raw.data(), static_cast<std::uint32_t>(raw.size())));
  if (!btf_) fail(".BTF cannot be parsed");
  lines_ = read_line_info(elf_.sections[ext_section_].data, btf_.get(), name_);
}

void rewriter::find_functions() {
  for (std::size_t i = 1; i < elf_.sections.size(); ++i) {
    const elf_section &s = elf_.sections[i];
    if (s.header.sh_type != SHT_PROGBITS || !(s.header.sh_flags & SHF_EXECINSTR) || s.data.empty()) continue;
    if (s.data.size() % sizeof(bpf_insn)) fail("section " + s.name + " is not a whole number of instructions");
    section_plan plan;
    plan.index = i;
    plan.code.resize(s.data.size() / sizeof(bpf_insn));
    std::memcpy(plan.code.data(), s.data.data(), s.data.size());
    sections_.emplace(i, std::move(plan));
  }
  for (std::size_t i = 1; i < elf_.sections.size(); ++i) {
    const elf_section &s = elf_.sections[i];
    if (s.header.sh_type == SHT_RELA && sections_.count(s.header.sh_info))
      fail("section " + s.name + " has RELA relocations; BPF objects use REL");
    if (s.header.sh_type != SHT_REL || !sections_.count(s.header.sh_info)) continue;
    section_plan &plan = sections_.at(s.header.sh_info);
    plan.rel_section = i;
    plan.relocations = read_table<Elf64_Rel>(s);
    for (std::size_t r = 0; r < plan.relocations.size(); ++r) {
      const Elf64_Rel &rel = plan.relocations[r];
      if (rel.r_offset % sizeof(bpf_insn) || rel.r_offset / sizeof(bpf_insn) >= plan.code.size() ||
          ELF64_R_SYM(rel.r_info) >= symbols_.size())
        fail("relocation #" + std::to_string(r) + " of " + s.name + " names an instruction or symbol that does "
             "not exist");
      plan.relocation_at[static_cast<std::uint32_t>(rel.r_offset / sizeof(bpf_insn))] = r;
    }
  }

  const std::string text = ".text";
  for (std::size_t k = 0; k < symbols_.size(); ++k) {
    const Elf64_Sym &sym = symbols_[k];
    if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || !sections_.count(sym.st_shndx)) continue;
    section_plan &plan = sections_.at(sym.st_shndx);
    function_plan f;
    f.name = string_at(elf_.sections[strtab_], sym.st_name);
    f.section = sym.st_shndx;
    f.first = static_cast<std::uint32_t>(sym.st_value / sizeof(bpf_insn));
    f.count = static_cast<std::uint32_t>(sym.st_size / sizeof(bpf_insn));
    f.entry_point = elf_.sections[sym.st_shndx].name != text;
    if (sym.st_value % sizeof(bpf_insn) || f.first + static_cast<std::uint64_t>(f.count) > plan.code.size())
      fail("function " + f.name + " lies outside its section " + elf_.sections[sym.st_shndx].name);
    functions_.push_back(std::move(f));
  }
  for (std::size_t k = 0; k < functions_.size(); ++k) sections_.at(functions_[k].section).functions.push_back(k);
  for (auto &[index, plan] : sections_) {
    std::sort(plan.functions.begin(), plan.functions.end(),
              [&](std::size_t a, std::size_t b) { return functions_[a].first < functions_[b].first; });
    for (std::size_t k = 1; k < plan.functions.size(); ++k) {
      const function_plan &prev = functions_[plan.functions[k - 1]], &cur = functions_[plan.functions[k]];
      if (prev.first + prev.count > cur.first) fail("functions " + prev.name + " and " + cur.name + " overlap");
    }
  }
}

std::size_t rewriter::function_at(std::size_t section, std::int64_t insn) const {
  for (std::size_t k : sections_.at(section).functions) {
    const function_plan &f = functions_[k];
    if (insn >= f.first && insn < static_cast<std::int64_t>(f.first) + f.count) return k;
  }
  return functions_.size();
}

bool rewriter::refers_to_code(const section_plan &sec, std::uint32_t insn) const {
  const auto r = sec.relocation_at.find(insn);
  if (r == sec.relocation_at.end()) return sec.code[insn].src() == op::pseudo_func;
  const Elf64_Sym &sym = symbols_[ELF64_R_SYM(sec.relocations[r->second].r_info)];
  return sym.st_shndx != SHN_UNDEF && sections_.count(sym.st_shndx);
}

void rewriter::plan_probes() {
  const std::set<std::string> plain(options_.leave_plain.begin(), options_.leave_plain.end());
  for (std::size_t k = 0; k < functions_.size(); ++k) {
    function_plan &f = functions_[k];
    const section_plan &sec = sections_.at(f.section);
    const std::span<const bpf_insn> code(sec.code.data() + f.first, f.count);
    analysis_result analysis = analyse_function(code);

    // Calls and callback addresses, for the call chains and the costs.
    for (std::uint32_t i = 0; i < f.count; ++i) {
      const bpf_insn &insn = code[i];
      const bool call = is_call(insn) && insn.src() == op::pseudo_call;
      const bool callback = is_ld_imm64(insn) && refers_to_code(sec, f.first + i);
      if (!call && !callback) continue;
      std::size_t target_section = f.section;
      std::int64_t target = 0;
      if (auto r = sec.relocation_at.find(f.first + i); r != sec.relocation_at.end()) {
        const Elf64_Sym &sym = symbols_[ELF64_R_SYM(sec.relocations[r->second].r_info)];
        if (sym.st_shndx == SHN_UNDEF || !sections_.count(sym.st_shndx)) continue;  // kfunc, extern
        target_section = sym.st_shndx;
        target = call ? static_cast<std::int64_t>(sym.st_value / 8) + insn.imm + 1
                      : (static_cast<std::int64_t>(sym.st_value) + insn.imm) / 8;
      } else {
        target = static_cast<std::int64_t>(f.first) + i + insn.imm + 1;
      }
      const std::size_t callee = function_at(target_section, target);
      if (callee < functions_.size()) f.callees.insert(callee);
    }

    if (plain.count(f.name)) {
      leave_plain(f, "left plain on request");
      continue;
    }
    if (!analysis.code) {
      leave_plain(f, analysis.problem);
      continue;
    }
    f.code = std::move(analysis.code);
    f.derived = derive_blocks(code, *f.code);
    for (std::size_t b = 0; b < f.code->blocks.size(); ++b) {
      f.block_probes.push_back(choose_scratch(f.code->blocks[b].live_in));
      f.block_probes.back().present = f.derived[b].kind == derivation::counted;
    }
    for (std::uint32_t j : f.code->conditional_jumps) {
      const std::int64_t target = jump_target(code[j], j);
      f.edge_probes.push_back(choose_scratch(f.code->blocks[f.code->block_of[target]].live_in));
    }
    if (f.spills()) {
      if (!f.code->stack_depth_known) {
        leave_plain(f, "has places where every register is in use, and its stack use cannot be "
                       "determined, so the counters' scratch registers have nowhere to be saved");
        continue;
      }
      f.spill_base = round_up(f.code->stack_depth, 8);
      if (f.spill_base + 2 * spill_slot > stack_limit)
        leave_plain(f, "uses " + std::to_string(f.code->stack_depth) + " bytes of stack: no room for the " +
                           std::to_string(2 * spill_slot) + " bytes that save the counters' scratch registers "
                           "(the limit is " + std::to_string(stack_limit) + ")");
    }
  }
}

// The verifier limits the stack of a whole call chain to 512 bytes: a
// function whose saved registers would push a chain past it stays plain.
void rewriter::fit_call_chains() {
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<std::optional<std::uint32_t>> deepest(functions_.size());  // memo: chain from here
    std::vector<bool> visiting(functions_.size());
    std::function<std::uint32_t(std::size_t)> chain = [&](std::size_t k) -> std::uint32_t {
      if (deepest[k]) return *deepest[k];
      if (visiting[k]) return 0;  // recursion is rejected by the verifier anyway
      visiting[k] = true;
      std::uint32_t below = 0;
      for (std::size_t c : functions_[k].callees) below = std::max(below, chain(c));
      visiting[k] = false;
      deepest[k] = functions_[k].frame_bytes() + below;
      return *deepest[k];
    };
    for (std::size_t k = 0; k < functions_.size(); ++k) {
      if (!functions_[k].entry_point || chain(k) <= stack_limit) continue;
      // Leave plain every function on this program's chains that saves registers.
      std::vector<std::size_t> todo{k};
      std::set<std::size_t> seen;
      while (!todo.empty()) {
        const std::size_t f = todo.back();
        todo.pop_back();
        if (!seen.insert(f).second) continue;
        if (functions_[f].spills()) {
          leave_plain(functions_[f], "needs " + std::to_string(2 * spill_slot) +
                                         " bytes of stack for the counters' scratch registers, which would take "
                                         "the stack of " + functions_[k].name + "'s call chain past " +
                                         std::to_string(stack_limit) + " bytes");
          changed = true;
        }
        todo.insert(todo.end(), functions_[f].callees.begin(), functions_[f].callees.end());
      }
    }
  }
}

bool rewriter::lay_out() {
  for (auto &entry : sections_) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    auto &sec = entry.second;
    const std::uint32_t n = static_cast<std::uint32_t>(sec.code.size());
    sec.new_index.assign(n + 1, 0);
    sec.entry_index.assign(n + 1, 0);
    std::uint32_t pos = 0, next = 0;
    auto copy_plain = [&](std::uint32_t until) {  // code outside functions, or a plain function
      for (; next < until; ++next) sec.new_index[next] = sec.entry_index[next] = pos++;
    };
    for (std::size_t k : sec.functions) {
      function_plan &f = functions_[k];
      copy_plain(f.first);
      f.new_first = pos;
      f.new_index.assign(f.count, 0);
      f.entry_index.assign(f.count, 0);
      if (!f.instrumented()) {
        for (std::uint32_t i = 0; i < f.count; ++i) f.new_index[i] = f.entry_index[i] = pos++;
      } else {
        const function_code &code = *f.code;
        f.block_at.assign(code.blocks.size(), 0);
        f.trampoline_at.assign(code.conditional_jumps.size(), 0);
        for (std::size_t b = 0; b < code.blocks.size(); ++b) {
          f.block_at[b] = pos;
          pos += f.block_probes[b].size();
          for (std::uint32_t i = code.blocks[b].start; i < code.blocks[b].end; ++i) {
            f.new_index[i] = pos++;
            f.entry_index[i] = i == code.blocks[b].start ? f.block_at[b] : f.new_index[i];
          }
        }
        for (std::size_t j = 0; j < code.conditional_jumps.size(); ++j) {
          f.trampoline_at[j] = pos;
          pos += f.edge_probes[j].size() + 1;
        }
      }
      f.new_count = pos - f.new_first;
      for (std::uint32_t i = 0; i < f.count; ++i) {
        sec.new_index[f.first + i] = f.new_index[i];
        sec.entry_index[f.first + i] = f.entry_index[i];
      }
      next = f.first + f.count;
    }
    copy_plain(n);
    sec.new_index[n] = sec.entry_index[n] = pos;
    sec.new_size = pos;
  }

  // Jumps keep 16-bit offsets, and a trampoline jumps back across its whole
  // function: a function with jumps grown past their reach stays plain.
  bool fits = true;
  for (function_plan &f : functions_) {
    if (!f.instrumented() || f.new_count <= static_cast<std::uint32_t>(std::numeric_limits<std::int16_t>::max()))
      continue;
    const section_plan &sec = sections_.at(f.section);
    const auto first = sec.code.begin() + f.first;
    if (std::any_of(first, first + f.count, [](const bpf_insn &i) { return is_goto(i) || is_conditional_jump(i); })) {
      leave_plain(f, "would be too long for its jumps' 16-bit offsets once instrumented");
      fits = false;
    }
  }
  return fits;
}

std::uint32_t rewriter::entry_of(std::size_t section, std::int64_t insn) const {
  const section_plan &sec = sections_.at(section);
  if (insn < 0 || insn >= static_cast<std::int64_t>(sec.entry_index.size()))
    fail("an instruction refers to instruction " + std::to_string(insn) + " of section " +
         elf_.sections[section].name + ", which does not exist");
  return sec.entry_index[insn];
}

void rewriter::emit_code() {
  auto put = [](std::vector<bpf_insn> &out, std::uint32_t at, bpf_insn insn) { out[at] = insn; };
  auto make = [](std::uint8_t code, unsigned dst, unsigned src, std::int16_t off, std::int32_t imm) {
    bpf_insn i;
    i.code = code;
    i.set_regs(dst, src);
    i.off = off;
    i.imm = imm;
    return i;
  };
  for (auto &[index, sec] : sections_) {
    std::vector<bpf_insn> out(sec.new_size);
    std::vector<Elf64_Rel> &probe_relocs = probe_relocations_[index];
    auto emit_probe = [&](std::uint32_t at, const probe &p, const function_plan &f) {
      const std::int16_t slot[2] = {static_cast<std::int16_t>(-static_cast<std::int32_t>(f.spill_base + spill_slot)),
                                    static_cast<std::int16_t>(-static_cast<std::int32_t>(f.spill_base + 2 * spill_slot))};
      int used = 0;
      std::int16_t where[2] = {0, 0};
      for (int r = 0; r < 2; ++r)
        if (p.spilled[r]) {
          where[r] = slot[used++];
          put(out, at++, make(op::stx | op::mem | op::dw, 10, p.scratch[r], where[r], 0));
        }
      probe_relocs.push_back({static_cast<Elf64_Addr>(at) * 8, 0});
      put(out, at++, make(op::ld | op::imm_mode | op::dw, p.scratch[0], 0, 0, static_cast<std::int32_t>(p.counter * 8)));
      put(out, at++, bpf_insn{});
      put(out, at++, make(op::alu64 | op::mov, p.scratch[1], 0, 0, 1));
      put(out, at++, make(op::stx | op::atomic | op::dw, p.scratch[0], p.scratch[1], 0, op::add));
      for (int r = 1; r >= 0; --r)
        if (p.spilled[r]) put(out, at++, make(op::ldx | op::mem | op::dw, p.scratch[r], 10, where[r], 0));
    };
    auto offset16 = [&](std::int64_t from, std::int64_t to) {
      const std::int64_t off = to - from - 1;
      if (off < std::numeric_limits<std::int16_t>::min() || off > std::numeric_limits<std::int16_t>::max())
        fail("internal error: a jump offset out of range after layout");
      return static_cast<std::int16_t>(off);
    };

    bool second_half = false;  // of an ld_imm64: data, not an instruction
    for (std::uint32_t i = 0; i < sec.code.size(); ++i) {
      bpf_insn insn = sec.code[i];
      const std::uint32_t at = sec.new_index[i];
      if (std::exchange(second_half, is_ld_imm64(insn))) {
        second_half = false;
        put(out, at, insn);
        continue;
      }
      const auto reloc = sec.relocation_at.find(i);
      const Elf64_Sym *sym = reloc == sec.relocation_at.end() ? nullptr
                                                               : &symbols_[ELF64_R_SYM(sec.relocations[reloc->second].r_info)];
      auto new_symbol_value = [&](const Elf64_Sym &s) -> std::int64_t {
        if (ELF64_ST_TYPE(s.st_info) == STT_SECTION) return 0;
        return static_cast<std::int64_t>(entry_of(s.st_shndx, s.st_value / 8)) * 8;
      };
      const bool in_code_symbol = sym && sym->st_shndx != SHN_UNDEF && sections_.count(sym->st_shndx);
      if (is_goto(insn)) {
        const std::int64_t to = entry_of(index, jump_target(insn, i));
        if (insn_class(insn) == op::jmp32) insn.imm = to - at - 1;
        else insn.off = offset16(at, to);
      } else if (is_conditional_jump(insn)) {
        const std::size_t fk = function_at(index, i);
        const function_plan *f = fk < functions_.size() ? &functions_[fk] : nullptr;
        if (f && f->instrumented()) {
          const auto &jumps = f->code->conditional_jumps;
          const std::size_t j = std::lower_bound(jumps.begin(), jumps.end(), i - f->first) - jumps.begin();
          const std::uint32_t tramp = f->trampoline_at[j];
          insn.off = offset16(at, tramp);
          emit_probe(tramp, f->edge_probes[j], *f);
          put(out, tramp + f->edge_probes[j].size(),
              make(op::jmp | op::ja, 0, 0, offset16(tramp + f->edge_probes[j].size(), entry_of(index, jump_target(sec.code[i], i))), 0));
        } else {
          insn.off = offset16(at, entry_of(index, jump_target(insn, i)));
        }
      } else if (is_call(insn) && insn.src() == op::pseudo_call) {
        if (in_code_symbol) {
          const std::int64_t target = static_cast<std::int64_t>(sym->st_value / 8) + insn.imm + 1;
          insn.imm = static_cast<std::int32_t>(entry_of(sym->st_shndx, target) - new_symbol_value(*sym) / 8 - 1);
        } else if (!sym) {
          insn.imm = static_cast<std::int32_t>(entry_of(index, static_cast<std::int64_t>(i) + insn.imm + 1)) - at - 1;
        }
      } else if (is_ld_imm64(insn) && (in_code_symbol || insn.src() == op::pseudo_func)) {
        if (in_code_symbol) {
          const std::int64_t target = (static_cast<std::int64_t>(sym->st_value) + insn.imm) / 8;
          insn.imm = static_cast<std::int32_t>(static_cast<std::int64_t>(entry_of(sym->st_shndx, target)) * 8 -
                                               new_symbol_value(*sym));
        } else if (!sym) {
          insn.imm = static_cast<std::int32_t>(entry_of(index, static_cast<std::int64_t>(i) + insn.imm + 1)) - at - 1;
        }
      }
      put(out, at, insn);
    }
    for (std::size_t k : sec.functions) {
      const function_plan &f = functions_[k];
      if (!f.instrumented()) continue;
      for (std::size_t b = 0; b < f.code->blocks.size(); ++b)
        if (f.block_probes[b].present) emit_probe(f.block_at[b], f.block_probes[b], f);
    }

    elf_section &s = elf_.sections[index];
    s.data.resize(out.size() * sizeof(bpf_insn));
    std::memcpy(s.data.data(), out.data(), s.data.size());
    s.header.sh_size = s.data.size();
    for (Elf64_Rel &r : sec.relocations) r.r_offset = static_cast<Elf64_Addr>(sec.new_index[r.r_offset / 8]) * 8;
  }
}

void rewriter::move_symbols_and_records() {
  for (Elf64_Sym &sym : symbols_) {
    if (!sections_.count(sym.st_shndx) || ELF64_ST_TYPE(sym.st_info) == STT_SECTION || sym.st_value % 8) continue;
    const Elf64_Addr old = sym.st_value;
    sym.st_value = static_cast<Elf64_Addr>(entry_of(sym.st_shndx, old / 8)) * 8;
    if (ELF64_ST_TYPE(sym.st_info) == STT_FUNC) {
      const std::size_t k = function_at(sym.st_shndx, old / 8);
      if (k < functions_.size()) sym.st_size = static_cast<Elf64_Xword>(functions_[k].new_count) * 8;
    }
  }
  std::map<std::string, std::size_t> by_name;
  for (const auto &[index, sec] : sections_) by_name[elf_.sections[index].name] = index;
  move_insn_offsets(elf_.sections[ext_section_].data, btf_.get(), name_,
                    [&](btf_ext::table kind, const std::string &section, std::uint32_t offset) -> std::uint32_t {
                      const auto it = by_name.find(section);
                      if (it == by_name.end() || offset % 8) return offset;
                      const section_plan &sec = sections_.at(it->second);
                      const std::size_t i = std::min<std::size_t>(offset / 8, sec.code.size());
                      // Function and line records of a block start cover its counter too
                      // (the verifier wants line info at every function's first instruction).
                      return (kind == btf_ext::table::core_relo ? sec.new_index[i] : sec.entry_index[i]) * 8;
                    });
}

void rewriter::add_counters() {
  const std::uint64_t bytes = static_cast<std::uint64_t>(counters_) * 8;
  Elf64_Shdr header{};
  header.sh_type = SHT_PROGBITS;
  header.sh_flags = SHF_ALLOC | SHF_WRITE;
  header.sh_addralign = 8;
  const std::size_t section = elf_.add_section(counter_section, header, std::vector<std::uint8_t>(bytes, 0));

  elf_section &strtab = elf_.sections[strtab_];
  Elf64_Sym sym{};
  sym.st_name = static_cast<Elf64_Word>(strtab.data.size());
  const std::string var = counter_variable;
  strtab.data.insert(strtab.data.end(), var.begin(), var.end());
  strtab.data.push_back(0);
  strtab.header.sh_size = strtab.data.size();
  sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
  sym.st_other = STV_DEFAULT;
  sym.st_shndx = static_cast<Elf64_Section>(section);
  sym.st_size = bytes;
  symbols_.push_back(sym);
  const std::size_t sym_index = symbols_.size() - 1;
  write_table(elf_.sections[symtab_], symbols_);

  // BTF for the section, so that libbpf gives the map a typed, mmap-able value.
  btf *b = btf_.get();
  int u64 = btf__add_int(b, "unsigned long long", 8, 0);
  int array = u64 < 0 ? u64 : btf__add_array(b, u64, u64, counters_);
  int v = array < 0 ? array : btf__add_var(b, counter_variable, BTF_VAR_GLOBAL_ALLOCATED, array);
  int sec = v < 0 ? v : btf__add_datasec(b, counter_section, static_cast<std::uint32_t>(bytes));
  int info = sec < 0 ? sec : btf__add_datasec_var_info(b, v, 0, static_cast<std::uint32_t>(bytes));
  if (info < 0) fail("cannot add the counters' BTF types");
  std::uint32_t size = 0;
  const auto *raw = static_cast<const std::uint8_t *>(btf__raw_data(b, &size));
  if (!raw) fail("cannot serialise the BTF");
  elf_.sections[btf_section_].data.assign(raw, raw + size);
  elf_.sections[btf_section_].header.sh_size = size;

  // The probes' ld_imm64 instructions point at the counters.
  for (auto &[index, sec_plan] : sections_) {
    std::vector<Elf64_Rel> relocs = sec_plan.relocations;
    for (Elf64_Rel r : probe_relocations_[index]) {
      r.r_info = ELF64_R_INFO(sym_index, r_bpf_64_64);
      relocs.push_back(r);
    }
    if (relocs.empty()) continue;
    std::sort(relocs.begin(), relocs.end(), [](const Elf64_Rel &a, const Elf64_Rel &b) { return a.r_offset < b.r_offset; });
    if (!sec_plan.rel_section) {
      Elf64_Shdr rel{};
      rel.sh_type = SHT_REL;
      rel.sh_flags = SHF_INFO_LINK;
      rel.sh_link = static_cast<Elf64_Word>(symtab_);
      rel.sh_info = static_cast<Elf64_Word>(index);
      rel.sh_addralign = 8;
      rel.sh_entsize = sizeof(Elf64_Rel);
      sec_plan.rel_section = elf_.add_section(".rel" + elf_.sections[index].name, rel, {});
    }
    write_table(elf_.sections[sec_plan.rel_section], relocs);
  }
}

void rewriter::build_source_map(source_map &map) {
  source_map_builder out(map);
  for (const function_plan &f : functions_) {
    if (!f.instrumented()) continue;
    out.owner(f.name);
    const function_code &code = *f.code;
    const auto found = lines_.find(elf_.sections[f.section].name);
    static const std::vector<line_record> none;
    const std::vector<line_record> &records = found == lines_.end() ? none : found->second;

    // The line of each instruction: the last line record at or before it
    // within its own block. A record does not reach across a block start:
    // code the compiler gave no line (line 0) would otherwise count for
    // whatever line happens to precede it in memory.
    std::vector<const line_record *> line_of(f.count, nullptr);
    auto rec = std::upper_bound(records.begin(), records.end(), f.first,
                                [](std::uint32_t insn, const line_record &r) { return insn < r.insn; });
    const line_record *current = rec == records.begin() ? nullptr : &*std::prev(rec);
    for (std::uint32_t i = 0; i < f.count; ++i) {
      while (rec != records.end() && rec->insn <= f.first + i) current = &*rec++;
      const std::uint32_t block_start = f.first + code.blocks[code.block_of[i]].start;
      line_of[i] = current && current->insn >= block_start && current->line > 0 ? current : nullptr;
    }

    // Each block's count as counters add up to it (derived blocks follow
    // their one way in, back to a block with a counter).
    std::vector<source_map_builder::formula> count(code.blocks.size());
    std::vector<bool> done(code.blocks.size());
    std::function<const source_map_builder::formula &(std::uint32_t)> count_of =
        [&](std::uint32_t b) -> const source_map_builder::formula & {
      if (done[b]) return count[b];
      const derivation &d = f.derived[b];
      switch (d.kind) {
        case derivation::counted:
          count[b] = {{f.block_probes[b].counter, false}};
          break;
        case derivation::fall_through:
          count[b] = count_of(d.from_block);
          count[b].push_back({f.edge_probes[d.jump].counter, true});
          break;
        case derivation::taken:
          count[b] = {{f.edge_probes[d.jump].counter, false}};
          break;
        case derivation::goto_target:
          count[b] = count_of(d.from_block);
          break;
      }
      done[b] = true;
      return count[b];
    };

    const line_record *first_line = nullptr;
    for (std::size_t b = 0; b < code.blocks.size(); ++b) {
      std::vector<source_map_builder::line_ref> lines;
      for (std::uint32_t i = code.blocks[b].start; i < code.blocks[b].end; ++i) {
        if (!line_of[i]) continue;
        if (!first_line) first_line = line_of[i];
        const auto ref = out.line(line_of[i]->file, line_of[i]->line);
        if (std::none_of(lines.begin(), lines.end(),
                         [&](const auto &l) { return l.file == ref.file && l.line == ref.line; }))
          lines.push_back(ref);
      }
      out.block(count_of(static_cast<std::uint32_t>(b)), std::move(lines));
    }
    for (std::size_t j = 0; j < code.conditional_jumps.size(); ++j) {
      const std::uint32_t i = code.conditional_jumps[j];
      if (!line_of[i]) continue;
      out.branch(out.line(line_of[i]->file, line_of[i]->line), count_of(code.block_of[i]), f.edge_probes[j].counter);
    }
    if (first_line) {
      // The function starts at its smallest line in the file of its first one.
      std::uint32_t start = first_line->line;
      for (const line_record *l : line_of)
        if (l && l->file == first_line->file) start = std::min(start, l->line);
      out.function(f.name, out.line(first_line->file, start), f.block_probes[0].counter);
    }
  }
  out.counters(counters_);
}

std::vector<program_cost> rewriter::costs() const {
  std::vector<program_cost> all;
  for (std::size_t k = 0; k < functions_.size(); ++k) {
    const function_plan &f = functions_[k];
    if (!f.entry_point) continue;
    program_cost cost;
    cost.program = f.name;
    cost.section = elf_.sections[f.section].name;
    std::vector<std::size_t> todo{k};
    std::set<std::size_t> seen;
    std::vector<std::size_t> order;
    while (!todo.empty()) {
      const std::size_t c = todo.front();
      todo.erase(todo.begin());
      if (!seen.insert(c).second) continue;
      order.push_back(c);
      todo.insert(todo.end(), functions_[c].callees.begin(), functions_[c].callees.end());
    }
    for (std::size_t c : order) {
      cost.functions.push_back(functions_[c].name);
      cost.plain_insns += functions_[c].count;
      cost.instrumented_insns += functions_[c].new_count;
    }
    all.push_back(std::move(cost));
  }
  std::sort(all.begin(), all.end(), [](const program_cost &a, const program_cost &b) { return a.program < b.program; });
  return all;
}

instrumented_object rewriter::run() {
  read_inputs();
  find_functions();
  plan_probes();
  fit_call_chains();
  while (!lay_out()) {
  }
  // Counters only for what stays instrumented, in code order.
  for (function_plan &f : functions_) {
    if (!f.instrumented()) continue;
    for (probe &p : f.block_probes)
      if (p.present) p.counter = counters_++;
    for (probe &p : f.edge_probes) p.counter = counters_++;
  }
  emit_code();
  move_symbols_and_records();
  instrumented_object result;
  result.costs = costs();
  for (const function_plan &f : functions_)
    if (!f.instrumented()) result.left_plain.push_back({f.name, f.plain_reason});
  if (counters_ == 0) {
    result.elf.clear();  // nothing to count: the caller loads the original
    return result;
  }
  add_counters();
  build_source_map(result.sources);
  result.elf = elf_.serialize();
  return result;
}

}  // namespace

instrumented_object instrument(std::span<const std::byte> elf, const std::string &name,
                               const instrument_options &options) {
  return rewriter(elf, name, options).run();
}

}  // namespace bpfkit::coverage
