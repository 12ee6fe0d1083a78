#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "bpfkit/coverage/instrument.hpp"

namespace bpfkit::coverage {

std::uint64_t source_map::evaluate(const formula &f, std::span<const std::uint64_t> counters) {
  std::int64_t sum = 0;
  for (const term &t : f)
    sum += t.subtract ? -static_cast<std::int64_t>(counters[t.counter]) : static_cast<std::int64_t>(counters[t.counter]);
  // Counters are read while nothing runs; should a run race the read, never
  // report a negative count.
  return sum > 0 ? static_cast<std::uint64_t>(sum) : 0;
}

coverage_data source_map::apply(std::span<const std::uint64_t> counts, std::span<const std::string> functions) const {
  if (counts.size() != counters_)
    throw error("coverage counters: " + std::to_string(counts.size()) + " values given, but the object was "
                "instrumented with " + std::to_string(counters_));
  std::vector<bool> wanted(owners_.size(), functions.empty());
  for (std::size_t k = 0; k < owners_.size(); ++k)
    if (std::find(functions.begin(), functions.end(), owners_[k]) != functions.end()) wanted[k] = true;
  coverage_data out;
  // A line runs as often as its most executed block: the blocks of one line
  // are one statement split by the compiler, or the same line reached again
  // (a loop's condition), never two separate runs of it.
  for (const block &b : blocks_)
    for (const line_ref &l : b.lines) {
      if (!wanted[b.owner]) break;
      std::uint64_t &count = out.files[files_[l.file]].lines[l.line];
      count = std::max(count, evaluate(b.count, counts));
    }
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> jumps_on_line;
  for (const branch &br : branches_) {
    if (!wanted[br.owner]) continue;
    file_coverage &file = out.files[files_[br.where.file]];
    const std::uint32_t jump = jumps_on_line[{br.where.file, br.where.line}]++;
    const std::uint64_t ran = evaluate(br.ran, counts), taken = counts[br.taken_counter];
    std::optional<std::uint64_t> jumped, fell_through;
    if (ran > 0 || taken > 0) {
      jumped = taken;
      fell_through = ran > taken ? ran - taken : 0;
    }
    file.branches[{br.where.line, jump, 0}] = jumped;
    file.branches[{br.where.line, jump, 1}] = fell_through;
  }
  for (const function &f : functions_) {
    if (!wanted[f.owner]) continue;
    function_coverage &fc = out.files[files_[f.where.file]].functions[f.name];
    fc.line = f.where.line;
    fc.count += counts[f.entry_counter];
  }
  return out;
}

coverage_data source_map::apply_bytes(std::span<const std::byte> value) const {
  if (value.size() != counters_ * sizeof(std::uint64_t))
    throw error("coverage counters: the counter map's value has " + std::to_string(value.size()) +
                " bytes, but the object was instrumented with " + std::to_string(counters_) + " counters of 8 bytes");
  std::vector<std::uint64_t> counts(counters_);
  if (!counts.empty()) std::memcpy(counts.data(), value.data(), value.size());
  return apply(counts);
}

coverage_data source_map::zero(std::span<const std::string> functions) const {
  return apply(std::vector<std::uint64_t>(counters_, 0), functions);
}

}  // namespace bpfkit::coverage
