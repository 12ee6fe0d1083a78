#include "bounded_regex.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <string_view>

namespace bpfkit::testing {
namespace {

// The deepest nesting of groups ( and [ ], escapes skipped.
int nesting_depth(const std::string &pattern) {
  int depth = 0, deepest = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ')') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

bool failure_regex_matches(const std::string &text, const std::string &pattern) {
  const std::string quoted = "EXPECT_LOAD_FAILURE /" +
                             (pattern.size() > 80 ? pattern.substr(0, 80) + "..." : pattern) + "/";
  if (pattern.size() > max_failure_regex_size)
    throw std::runtime_error(quoted + " is " + std::to_string(pattern.size()) + " characters long, more than " +
                             std::to_string(max_failure_regex_size));
  if (int depth = nesting_depth(pattern); depth > max_failure_regex_depth)
    throw std::runtime_error(quoted + " nests " + std::to_string(depth) + " groups, more than " +
                             std::to_string(max_failure_regex_depth));
  std::regex regex;
  try {
    regex = std::regex(pattern);
  } catch (const std::regex_error &e) {
    throw std::runtime_error(quoted + " is not a valid regex (ECMAScript): " + e.what());
  }
  if (pattern.find('\n') != std::string::npos || pattern.find("\\n") != std::string::npos)
    return std::regex_search(text, regex);
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (std::regex_search(line.begin(), line.end(), regex)) return true;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace bpfkit::testing
