#include "spec.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <fstream>
#include <stdexcept>

#include "bpfkit/return_codes.hpp"
#include "bpfkit/testing/rerun.hpp"

namespace bpfkit::testing {
namespace {

// Decimal or 0x hex digits only, at most `max`: std::stoull would take "-1"
// as 2^64-1 and " 5" as 5, and its exceptions name it instead of the key.
std::uint64_t number(const std::string &text, const std::string &where,
                     std::uint64_t max = UINT64_MAX) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char *first = text.data() + (hex ? 2 : 0);
  const char *last = text.data() + text.size();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(first, last, value, hex ? 16 : 10);
  if (first == last || end != last || error == std::errc::invalid_argument)
    throw std::runtime_error(where + ": not a number: " + text);
  if (error == std::errc::result_out_of_range || value > max)
    throw std::runtime_error(where + ": " + text + " is out of range: at most " + std::to_string(max));
  return value;
}

}  // namespace

std::optional<std::int64_t> retval_value(const std::string &spelled) {
  if (auto value = return_code_value(spelled)) return value;
  try {
    std::size_t used = 0;
    std::int64_t value = std::stoll(spelled, &used, 0);
    if (used == spelled.size()) return value;
  } catch (const std::exception &) {
  }
  return std::nullopt;
}

test_spec read_spec(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the test spec (rerun cmake?)");
  test_spec spec;
  std::string build_dir;
  std::string line;
  for (int number_of_line = 1; std::getline(in, line); ++number_of_line) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number_of_line);
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) throw std::runtime_error(where + ": not key=value: " + line);
    const std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    if (key == "test") spec.test = value;
    else if (key == "rerun") spec.rerun = value;
    else if (key == "build_dir") build_dir = value;
    else if (key == "object") spec.object = value;
    else if (key == "program") spec.program = value;
    else if (key == "data_in") spec.data_in = value;
    else if (key == "packet") spec.packet = value;
    else if (key == "ctx_in") spec.ctx_in = value;
    else if (key == "repeat") spec.repeat = static_cast<std::uint32_t>(number(value, where, UINT32_MAX));
    else if (key == "set_global") spec.set_global.push_back(value);
    else if (key == "set_map") spec.set_map.push_back(value);
    else if (key == "expect_map") spec.expect_map.push_back(value);
    else if (key == "expect_data_out") spec.expect_data_out = value;
    else if (key == "max_verified_insns") spec.max_verified_insns = number(value, where);
    else if (key == "expect_load_failure") spec.expect_load_failure.push_back(value);
    else if (key == "min_kernel") spec.min_kernel = value;
    else if (key == "requires") spec.required_features.push_back(value);
    else if (key == "expect_retval") {
      // "<number> <as spelled>", the number resolved by CMake.
      const std::size_t space = value.find(' ');
      const std::string numeric = value.substr(0, space);
      // The magnitude is unsigned: negate it there, where -2^63 has no overflow.
      const bool negative = numeric.starts_with("-");
      const std::uint64_t magnitude = number(negative ? numeric.substr(1) : numeric, where);
      const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : INT64_MAX;
      if (magnitude > limit) throw std::runtime_error(where + ": out of range: " + numeric);
      const auto parsed = static_cast<std::int64_t>(negative ? 0 - magnitude : magnitude);
      spec.expect_retval = expected_retval{parsed, space == std::string::npos ? numeric
                                                                               : value.substr(space + 1)};
    } else {
      throw std::runtime_error(where + ": unknown key '" + key + "' (bpfkit-test is older than the spec?)");
    }
  }
  if (spec.object.empty() || spec.program.empty())
    throw std::runtime_error(path + ": the spec names no object or program");
  // The one format of rerun commands, when the spec says where the build is.
  if (!build_dir.empty()) spec.rerun = rerun_command(build_dir, spec.test);
  spec.build_dir = build_dir;
  return spec;
}

}  // namespace bpfkit::testing
