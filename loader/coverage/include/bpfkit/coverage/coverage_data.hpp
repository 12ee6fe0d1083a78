// Line, branch and function counts of BPF source files, and the lcov
// tracefile format they are saved in (geninfo(1): TN, SF, FN, FNDA, FNF,
// FNH, BRDA, BRF, BRH, DA, LF, LH, end_of_record), so that genhtml, lcov,
// Codecov and editors' coverage gutters read them.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bpfkit::coverage {

struct function_coverage {
  std::uint32_t line = 0;  // where the function starts
  std::uint64_t count = 0;  // times it was entered
};

struct branch_id {
  std::uint32_t line = 0;
  std::uint32_t block = 0;   // which conditional jump of the line
  std::uint32_t branch = 0;  // 0: the jump taken, 1: not taken
  auto operator<=>(const branch_id &) const = default;
};

struct file_coverage {
  std::map<std::uint32_t, std::uint64_t> lines;  // line -> times executed
  // Times each way of a conditional jump was taken; std::nullopt ("-" in
  // lcov) when the jump itself never ran.
  std::map<branch_id, std::optional<std::uint64_t>> branches;
  std::map<std::string, function_coverage> functions;  // by name

  void merge(const file_coverage &other);
};

// Counts by source file path.
struct coverage_data {
  std::map<std::string, file_coverage> files;
  void merge(const coverage_data &other);
};

// An lcov tracefile: counts per test name (lcov's TN).
struct tracefile {
  std::map<std::string, coverage_data> tests;
  void merge(const tracefile &other);
};

// lcov accepts test names of letters, digits and '_' only: anything else
// becomes '_' (a ctest name such as "harness.counter" gives "harness_counter").
std::string lcov_test_name(std::string_view test);

std::string to_lcov(const tracefile &trace);
// Throws coverage::error naming `name` and the line when `text` is not a
// tracefile.
tracefile parse_lcov(std::string_view text, const std::string &name);

tracefile read_tracefile(const std::string &path);
// Writes atomically (a temporary beside `path`, then rename): a reader never
// sees half a file. Throws coverage::error naming the path.
void write_tracefile(const std::string &path, const tracefile &trace);

}  // namespace bpfkit::coverage
