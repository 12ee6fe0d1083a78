// analyze_core(): every CO-RE relocation of an object, resolved in libbpf's
// order, applied to a copy of the code, and the poisoned instructions
// checked for reachability.
#include <algorithm>
#include <set>

#include "bpfkit/inspect/core.hpp"
#include "bpfkit/inspect/reachability.hpp"

namespace bpfkit::inspect {

core_analysis analyze_core(const object_file &object, const core_target &target) {
  core_analysis analysis;
  analysis.object = object.path();
  analysis.target = target.origin;

  // Functions, programs first, with who calls whom.
  std::map<std::string, std::set<std::string>> callers, callees;
  for (const function_symbol &f : object.functions()) {
    for (std::uint32_t i = 0; i < f.insn_count; ++i)
      if (const function_symbol *callee = object.call_target(f.section, f.first_insn + i);
          callee && callee->name != f.name) {
        callees[f.name].insert(callee->name);
        callers[callee->name].insert(f.name);
      }
  }
  for (bool programs : {true, false})
    for (const function_symbol &f : object.functions())
      if (f.program == programs)
        analysis.functions.push_back({f, {callers[f.name].begin(), callers[f.name].end()},
                                      {callees[f.name].begin(), callees[f.name].end()}});

  std::map<std::string, std::vector<bpf_insn>> code;
  for (const function_symbol &f : object.functions()) {
    const auto insns = object.instructions(f.section);
    code.try_emplace(f.section, insns.begin(), insns.end());
  }

  core_resolver resolver(object.types(), target);
  for (const core_record &record : object.core_records()) {
    const function_symbol *f = object.function_at(record.section, record.insn);
    // libbpf skips what it will not load: records of eliminated weak
    // subprograms and of programs in "?" sections (autoload off).
    if (!f || record.section.starts_with("?")) {
      ++analysis.skipped;
      continue;
    }
    core_relocation r;
    r.function = f->name;
    r.section = record.section;
    r.insn = record.insn - f->first_insn;
    r.section_insn = record.insn;
    r.record = record;
    r.access = describe_access(object.types(), record);
    if (const line_record *line = object.line_of_use(record.section, record.insn)) r.line = *line;
    r.decision = resolver.resolve(record);
    auto &insns = code[record.section];
    if (record.insn < insns.size())
      patch_instruction(insns.data() + record.insn, insns.size() - record.insn, r.decision);
    else
      patch_instruction(nullptr, 0, r.decision);
    analysis.relocations.push_back(std::move(r));
  }

  const auto reached = reachable_instructions(object, code);
  for (core_relocation &r : analysis.relocations) {
    if (r.decision.what != core_decision::outcome::poison) continue;
    auto marks = reached.find(r.section);
    r.reachable = marks == reached.end() || r.section_insn >= marks->second.size() || marks->second[r.section_insn];
  }
  return analysis;
}

}  // namespace bpfkit::inspect
