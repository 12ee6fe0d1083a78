// bpfkit-test: runs the BPF tests that bpf_add_test() registers with ctest.
//
//   bpfkit-test SPEC       one declarative test (SPEC is written by CMake)
//   bpfkit-test --setup    the fixture setup: mount bpffs, check privileges
//   bpfkit-test --cleanup  the fixture cleanup: remove pins of killed tests
//
// Exit status: 0 passed, 1 failed, 2 usage, 77 skipped (no privilege; ctest
// reports it as skipped through SKIP_RETURN_CODE).
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "declarative_test.hpp"
#include "kernel_access.hpp"
#include "spec.hpp"

namespace {

using namespace bpfkit::testing;

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_skipped = 77;

int setup() {
  if (!can_load_bpf()) {
    std::printf("skipped: %s\n", missing_privilege_reason().c_str());
    return exit_skipped;
  }
  if (std::string problem = ensure_bpffs(); !problem.empty()) {
    std::printf("bpfkit-test: %s\n", problem.c_str());
    return exit_failed;
  }
  std::printf("bpffs is mounted and BPF programs can be loaded\n");
  return exit_passed;
}

int cleanup() {
  std::printf("removed %d stale pin directories under %s\n", remove_stale_pin_dirs(), pin_root);
  return exit_passed;
}

int run_spec(const std::string &path) {
  test_spec spec = read_spec(path);
  test_report report = run_declarative_test(spec);
  switch (report.outcome) {
    case verdict::skipped:
      std::printf("SKIPPED %s: %s\n", spec.test.c_str(), report.notes.back().c_str());
      return exit_skipped;
    case verdict::passed:
      std::printf("PASSED %s (program %s)\n", spec.test.c_str(), spec.program.c_str());
      for (const auto &note : report.notes) std::printf("  %s\n", note.c_str());
      return exit_passed;
    case verdict::failed:
      break;
  }
  std::printf("FAILED %s (program %s of %s)\n", spec.test.c_str(), spec.program.c_str(), spec.object.c_str());
  for (const auto &failure : report.failures) std::printf("  %s\n", failure.c_str());
  for (const auto &note : report.notes) std::printf("  observed: %s\n", note.c_str());
  std::printf("rerun: %s\n", spec.rerun.c_str());
  return exit_failed;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bpfkit-test SPEC | --setup | --cleanup\n");
    return exit_usage;
  }
  const std::string_view arg = argv[1];
  try {
    if (arg == "--setup") return setup();
    if (arg == "--cleanup") return cleanup();
    return run_spec(argv[1]);
  } catch (const std::exception &e) {
    std::printf("bpfkit-test: error: %s\n", e.what());
    return exit_failed;
  }
}
