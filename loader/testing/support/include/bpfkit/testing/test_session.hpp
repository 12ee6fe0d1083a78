// One BPF test as bpfkit's test drivers run it (bpfkit-test for declarative
// and annotated tests, bpfkit::testing for GoogleTest cases):
//  - coverage: when the test's environment has BPFKIT_COVERAGE_DEFAULT_DIR
//    (bpf_add_test sets it with -DBPFKIT_COVERAGE=ON), the objects the test
//    opens are instrumented (bpfkit::run_record) and what they ran is written
//    to <dir>/<test>.info, an lcov tracefile, <dir> being
//    BPFKIT_COVERAGE_DIR when set (the kernel matrix's guest moves the files
//    with it), else the default;
//  - the result file: <dir>/<test>.json (BPFKIT_RESULTS_DIR, else
//    BPFKIT_RESULTS_DEFAULT_DIR), what bpf_report reads: the outcome, the
//    kernel, and each program loaded with its verified instructions;
//  - bpf_printk: from the first load of a program that calls it, what the
//    test's programs print is captured (bpfkit::printk_capture, this process
//    only), to be shown under a failure.
// Without those variables (a test executable started by hand) no file is
// written and coverage stays off.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/printk_capture.hpp"
#include "bpfkit/run_record.hpp"

namespace bpfkit::testing {

enum class test_outcome { passed, failed, skipped };

class test_session {
 public:
  // Starts the test `test` (its ctest name): turns coverage on when the
  // environment asks for it, and listens for programs that call bpf_printk.
  explicit test_session(std::string test);
  ~test_session();
  test_session(const test_session&) = delete;
  test_session& operator=(const test_session&) = delete;

  // Ends it: writes the tracefile and the result file. Returns what the
  // driver prints with the outcome: the programs whose coverage was not
  // taken and why. Never throws: a file that cannot be written is a line
  // of the returned notes (a test does not fail because of its report).
  std::vector<std::string> finish(test_outcome outcome, const std::string& message);

  // For a failure: "bpf_printk during this test (N lines):" and the lines,
  // or why they could not be captured; "" when no program loaded during the
  // test calls bpf_printk.
  std::string printk_report() const;

  // The baseline a program's verified instructions were checked against
  // (bpf_verifier_baseline's test), for the result file.
  void set_baseline(const std::string& object, const std::string& program, std::uint64_t insns);

  // Programs another process loaded for this test (bpfkit-test's server):
  // listed in the result file as if loaded here.
  void record_programs(std::vector<run_record::program_entry> programs);

  // The environment's directories ("" when not set).
  static std::string coverage_dir();
  static std::string results_dir();

 private:
  void start_capture();

  std::string test_;
  std::chrono::steady_clock::time_point started_;
  bool printk_programs_ = false;
  std::optional<printk_capture> capture_;
  std::string capture_problem_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> baselines_;
  std::vector<run_record::program_entry> recorded_;
};

}  // namespace bpfkit::testing
