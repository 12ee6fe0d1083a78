// The command that reruns one ctest test, as every bpfkit test runner
// prints it after a failure:
//   rerun: ctest --test-dir <build> -R "^<test>$" --output-on-failure
#pragma once

#include <string>
#include <string_view>

namespace bpfkit::testing {

// `test` is escaped for ctest's -R regex (a '.' or '+' in a name matches
// only itself).
std::string rerun_command(std::string_view build_dir, std::string_view test);

}  // namespace bpfkit::testing
