// Running one declarative BPF test: load, seed, run, compare.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bpfkit/load.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/run_record.hpp"
#include "spec.hpp"

namespace bpfkit::testing {

enum class verdict { passed, failed, skipped };

struct test_report {
  verdict outcome = verdict::passed;
  std::vector<std::string> failures;  // every expectation that did not hold
  std::vector<std::string> notes;     // what was observed, for the log
};

// The object of a test as loaded for it: only the program under test, its
// SET_GLOBAL values written before the load. A failed load keeps its report
// (EXPECT_LOAD_FAILURE checks it) and an unloaded object.
struct loaded_test_object {
  object obj;
  program tested;
  load_report loaded;
  std::vector<run_record::program_entry> programs;  // what the load recorded
};

// Opens and loads spec.object for `spec` (again without coverage where
// run_record asks). Throws for what is not the kernel's verdict (no such
// file, unknown program or global).
loaded_test_object load_test_object(const test_spec &spec);

// Whether the test can change the object's maps: it runs the program or
// seeds a map (a test that only loads leaves them as the load did).
bool writes_maps(const test_spec &spec);

// Where run_declarative_test gets the loaded object: by default a fresh
// load (load_test_object); the test server lends one of its loaded copies.
using object_source = std::function<loaded_test_object &(const test_spec &)>;

// Never throws for the test's own failures: mistakes in the test (unknown
// map, bad value) are failures too, with a message naming what is wrong.
test_report run_declarative_test(const test_spec &spec);
test_report run_declarative_test(const test_spec &spec, const object_source &source);

}  // namespace bpfkit::testing
