// The test session (coverage, result file, bpf_printk) of every GoogleTest
// case: bpfkit::testing::install_session_listener().
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bpfkit/testing/main.hpp"
#include "bpfkit/testing/test_session.hpp"

namespace bpfkit::testing {
namespace {

// The ctest name of the case where ctest runs exactly this case, else
// <Suite>.<Case>.
std::string session_name(const ::testing::TestInfo& info) {
  const char* ctest_name = std::getenv("BPFKIT_CTEST_NAME");
  if (ctest_name && *ctest_name && ::testing::UnitTest::GetInstance()->test_to_run_count() == 1)
    return ctest_name;
  return std::string(info.test_suite_name()) + "." + info.name();
}

// The first failure's message, for the result file.
std::string first_failure(const ::testing::TestResult& result) {
  for (int i = 0; i < result.total_part_count(); ++i) {
    const ::testing::TestPartResult& part = result.GetTestPartResult(i);
    if (part.failed()) return part.summary();
  }
  return {};
}

class session_listener : public ::testing::EmptyTestEventListener {
 public:
  void begin(const ::testing::TestInfo& info) {
    session_.reset();  // one at a time: the record is the process's
    session_ = std::make_unique<test_session>(session_name(info));
  }

 private:
  void OnTestStart(const ::testing::TestInfo& info) override { begin(info); }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (!session_) return;
    const ::testing::TestResult& result = *info.result();
    const test_outcome outcome = result.Skipped()  ? test_outcome::skipped
                                 : result.Failed() ? test_outcome::failed
                                                   : test_outcome::passed;
    std::string message = first_failure(result);
    if (outcome == test_outcome::skipped)
      for (int i = 0; i < result.total_part_count(); ++i)
        if (result.GetTestPartResult(i).skipped()) message = result.GetTestPartResult(i).message();
    for (const std::string& note : session_->finish(outcome, message)) std::printf("%s\n", note.c_str());
    if (outcome == test_outcome::failed) std::printf("%s", session_->printk_report().c_str());
    std::fflush(stdout);
    session_.reset();
  }

  std::unique_ptr<test_session> session_;
};

session_listener* installed = nullptr;

}  // namespace

void install_session_listener() {
  if (installed) return;
  installed = new session_listener;
  ::testing::UnitTest::GetInstance()->listeners().Append(installed);  // gtest owns it
}

void ensure_session_listener() {
  if (installed) return;
  install_session_listener();
  // Installed by a fixture's SetUp (a main() of the user's own): this case
  // started before the listener was there.
  if (const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info())
    installed->begin(*info);
}

}  // namespace bpfkit::testing
