#include "bpfkit/testing/rerun.hpp"

namespace bpfkit::testing {

std::string rerun_command(std::string_view build_dir, std::string_view test) {
  std::string pattern;
  for (char c : test) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return "ctest --test-dir " + std::string(build_dir) + " -R \"^" + pattern + "$\" --output-on-failure";
}

}  // namespace bpfkit::testing
