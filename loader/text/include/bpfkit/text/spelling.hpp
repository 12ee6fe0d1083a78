// "Did you mean ...?" for names a user mistyped: the candidates within a
// few edits of the name. One implementation for every message that offers
// suggestions (REQUIRES features, bpfkit btf/core type names).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::text {

// Levenshtein distance: insertions, deletions and substitutions, one each.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// How many edits still read as a typo of `name`: 2, or a quarter of a long name.
inline std::size_t typo_tolerance(std::string_view name) { return std::max<std::size_t>(2, name.size() / 4); }

// The candidates within typo_tolerance(name) edits, in their order.
inline std::vector<std::string> close_matches(std::string_view name, const std::vector<std::string>& candidates) {
  std::vector<std::string> close;
  for (const auto& candidate : candidates)
    if (edit_distance(name, candidate) <= typo_tolerance(name)) close.push_back(candidate);
  return close;
}

}  // namespace bpfkit::text
