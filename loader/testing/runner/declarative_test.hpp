// Running one declarative BPF test: load, seed, run, compare.
#pragma once

#include <string>
#include <vector>

#include "spec.hpp"

namespace bpfkit::testing {

enum class verdict { passed, failed, skipped };

struct test_report {
  verdict outcome = verdict::passed;
  std::vector<std::string> failures;  // every expectation that did not hold
  std::vector<std::string> notes;     // what was observed, for the log
};

// Never throws for the test's own failures: mistakes in the test (unknown
// map, bad value) are failures too, with a message naming what is wrong.
test_report run_declarative_test(const test_spec &spec);

}  // namespace bpfkit::testing
