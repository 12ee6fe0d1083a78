#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bpfkit/testing/main.hpp"
#include "bpfkit/testing/rerun.hpp"

namespace bpfkit::testing {
namespace {

std::string this_executable() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "<test executable>";
  return std::string(path, static_cast<std::size_t>(n));
}

class rerun_listener : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (!info.result()->Failed()) return;
    const std::string filter = std::string(info.test_suite_name()) + "." + info.name();
    const char* ctest_name = std::getenv("BPFKIT_CTEST_NAME");
    const char* ctest_dir = std::getenv("BPFKIT_CTEST_DIR");
    // Set by ctest for the one case a test runs; a run of several cases
    // (the executable started by hand) has no single ctest name.
    if (ctest_name && *ctest_name && ctest_dir && *ctest_dir &&
        ::testing::UnitTest::GetInstance()->test_to_run_count() == 1)
      std::printf("rerun: %s\n", rerun_command(ctest_dir, ctest_name).c_str());
    std::printf("rerun: %s --gtest_filter=%s\n", this_executable().c_str(), filter.c_str());
    std::fflush(stdout);
  }
};

}  // namespace

void install_rerun_listener() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  ::testing::UnitTest::GetInstance()->listeners().Append(new rerun_listener);
}

}  // namespace bpfkit::testing
