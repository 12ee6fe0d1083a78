// EXPECT_LOAD_FAILURE's regexes, bounded. libstdc++'s std::regex compiles
// and matches recursively: 200,000 nested groups overflow the stack while
// compiling, and a pattern such as (a|b)* recurses once per character of a
// multi-megabyte verifier log. Patterns are therefore checked before they
// are compiled, and matched line by line unless they span lines.
#pragma once

#include <string>

namespace bpfkit::testing {

inline constexpr std::size_t max_failure_regex_size = 4096;
inline constexpr int max_failure_regex_depth = 32;

// Whether `pattern` (ECMAScript) matches somewhere in `text`: in one line of
// it, or, for a pattern with "\n" in it, in the whole text. Throws
// std::runtime_error naming the pattern when it is too long, nests groups
// too deeply or is not a valid regex.
bool failure_regex_matches(const std::string &text, const std::string &pattern);

}  // namespace bpfkit::testing
