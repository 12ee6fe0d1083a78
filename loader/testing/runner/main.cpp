// bpfkit-test: runs the BPF tests that bpf_add_test() registers with ctest.
//
//   bpfkit-test SPEC       one declarative test (SPEC is written by CMake),
//                          run by the build tree's test server when one
//                          answers (test_server.hpp), else in this process
//   bpfkit-test --setup [BUILD_DIR]
//                          the fixture setup: mount bpffs, check privileges,
//                          start BUILD_DIR's test server
//   bpfkit-test --cleanup [BUILD_DIR]
//                          the fixture cleanup: remove pins of killed tests,
//                          stop BUILD_DIR's test server
//   bpfkit-test --serve BUILD_DIR
//                          the test server itself (started by --setup)
//   bpfkit-test --annotated OBJ PROG TEST BUILD_DIR
//                          one program's test written in its BPF source
//   bpfkit-test --discover OBJ TEST BUILD_DIR LABELS OUT [VAR=VALUE...]
//                          writes a ctest file registering TEST.<prog> for
//                          every annotated program of OBJ (with the ctest
//                          ENVIRONMENT given: result and coverage dirs)
//
// Exit status: 0 passed, 1 failed, 2 usage, 77 skipped (no privilege, or the
// kernel lacks what MIN_KERNEL/REQUIRES ask for: "bpfkit-test-skip: <reasons>";
// ctest reports it as skipped through SKIP_RETURN_CODE).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>
#include <string>
#include <string_view>

#include "annotations.hpp"
#include "bpfkit/large_pages.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/testing/pins.hpp"
#include "bpfkit/testing/rerun.hpp"
#include "bpfkit/version.hpp"
#include "bpfkit/testing/test_session.hpp"
#include "declarative_test.hpp"
#include "requirements_check.hpp"
#include "spec.hpp"
#include "test_server.hpp"

namespace {

using namespace bpfkit::testing;

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_skipped = 77;

int setup(const std::string &build_dir) {
  if (const std::string &reason = bpfkit::bpf_unavailable_reason(); !reason.empty()) {
    std::printf("skipped: %s\n", reason.c_str());
    return exit_skipped;
  }
  if (std::string problem = ensure_bpffs(); !problem.empty()) {
    std::printf("bpfkit-test: %s\n", problem.c_str());
    return exit_failed;
  }
  std::printf("bpffs is mounted and BPF programs can be loaded\n");
  if (!build_dir.empty()) std::printf("%s", start_server(build_dir).c_str());
  return exit_passed;
}

int cleanup(const std::string &build_dir) {
  if (!build_dir.empty()) std::printf("%s", stop_server(build_dir).c_str());
  int removed = 0;
  try {
    removed = remove_stale_pin_dirs();
  } catch (const bpfkit::pin_path_error &e) {
    // Someone else made the pin root: nothing in it is removed or used.
    std::printf("bpfkit-test: error: the pin root is not bpfkit's: %s\n"
                "  hint: find out who made %s; remove it (rm -r, not following symlinks) and rerun\n",
                e.what(), e.path().c_str());
    return exit_failed;
  }
  std::printf("removed %d stale pin directories under %s\n", removed, current_pin_root().c_str());
  // bpf_printk captures of tests that were killed (test_session).
  std::printf("removed %zu stale bpf_printk capture instances\n", bpfkit::remove_stale_printk_instances());
  return exit_passed;
}

// `spec_path`: the spec file the server reads ("" for annotated tests,
// which run here).
int run_spec(const test_spec &spec, const std::string &spec_path = {}) {
  test_session session(spec.test);  // coverage, result file, bpf_printk
  // MIN_KERNEL and REQUIRES, before anything is loaded.
  if (const requirements_outcome needs = check_requirements(spec); needs.outcome == verdict::skipped) {
    session.finish(test_outcome::skipped, needs.message);
    std::printf("%s%s\n", skip_prefix, needs.message.c_str());
    return exit_skipped;
  } else if (needs.outcome == verdict::failed) {
    session.finish(test_outcome::failed, needs.message);
    std::printf("FAILED %s: %s\nrerun: %s\n", spec.test.c_str(), needs.message.c_str(), spec.rerun.c_str());
    return exit_failed;
  }
  // Coverage and its per-process bookkeeping stay in this process.
  std::optional<served_test> served;
  if (!spec_path.empty() && !spec.build_dir.empty() && test_session::coverage_dir().empty())
    served = run_on_server(spec.build_dir, spec_path);
  test_report report;
  if (served) {
    std::fputs(served->libbpf_printed.c_str(), stderr);
    report = std::move(served->report);
    session.record_programs(std::move(served->programs));
  } else {
    report = run_declarative_test(spec);
  }
  const test_outcome outcome = report.outcome == verdict::passed    ? test_outcome::passed
                               : report.outcome == verdict::skipped ? test_outcome::skipped
                                                                    : test_outcome::failed;
  std::string message;
  if (!report.failures.empty()) message = report.failures.front();
  else if (report.outcome == verdict::skipped && !report.notes.empty()) message = report.notes.back();
  const std::vector<std::string> session_notes = session.finish(outcome, message);
  switch (report.outcome) {
    case verdict::skipped:
      std::printf("SKIPPED %s: %s\n", spec.test.c_str(), report.notes.back().c_str());
      return exit_skipped;
    case verdict::passed:
      std::printf("PASSED %s (program %s)\n", spec.test.c_str(), spec.program.c_str());
      for (const auto &note : report.notes) std::printf("  %s\n", note.c_str());
      for (const auto &note : session_notes) std::printf("  %s\n", note.c_str());
      return exit_passed;
    case verdict::failed:
      break;
  }
  std::printf("FAILED %s (program %s of %s)\n", spec.test.c_str(), spec.program.c_str(), spec.object.c_str());
  for (const auto &failure : report.failures) std::printf("  %s\n", failure.c_str());
  std::printf("%s", session.printk_report().c_str());
  for (const auto &note : report.notes) std::printf("  observed: %s\n", note.c_str());
  for (const auto &note : session_notes) std::printf("  %s\n", note.c_str());
  std::printf("rerun: %s\n", spec.rerun.c_str());
  return exit_failed;
}

int run_annotated(const std::string &object, const std::string &program, const std::string &test,
                  const std::string &build_dir) {
  std::string prefix = test.substr(0, test.size() - program.size() - 1);
  for (test_spec &spec : read_annotated_specs(object, prefix)) {
    if (spec.program != program) continue;
    spec.rerun = rerun_command(build_dir, test);
    return run_spec(spec);
  }
  std::printf("bpfkit-test: %s: program %s has no bpfkit annotations any more; rebuild\n",
              object.c_str(), program.c_str());
  return exit_failed;
}

// A bracket argument cannot be broken by any name or path.
std::string quoted(const std::string &text) { return "[==[" + text + "]==]"; }

int discover(const std::string &object, const std::string &test, const std::string &build_dir,
             const std::string &labels, const std::string &out_path, const std::vector<std::string> &environment_entries) {
  std::string list;  // a CMake list
  for (const std::string &entry : environment_entries) list += (list.empty() ? "" : ";") + entry;
  const std::string &environment = list;
  std::vector<test_spec> specs = read_annotated_specs(object, test);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string out = "# Generated by bpfkit-test --discover from " + object + "\n";
  for (const test_spec &spec : specs) {
    out += "add_test(" + quoted(spec.test) + " " + quoted(self) + " --annotated " + quoted(object) + " " +
           quoted(spec.program) + " " + quoted(spec.test) + " " + quoted(build_dir) + ")\n";
    out += "set_tests_properties(" + quoted(spec.test) +
           " PROPERTIES FIXTURES_REQUIRED bpfkit_kernel SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS " +
           quoted("bpf;" + labels) + (environment.empty() ? "" : " ENVIRONMENT " + quoted(environment)) + ")\n";
  }
  if (specs.empty())
    out += "add_test(" + quoted(test) + " " + quoted(self) + " --no-annotations " + quoted(object) + ")\n";
  const std::string temp = out_path + ".tmp";
  std::ofstream(temp) << out;
  std::filesystem::rename(temp, out_path);
  return exit_passed;
}

}  // namespace

int main(int argc, char **argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  // The server's threads load objects: they share the advised heap.
  bpfkit::large_pages::use_for_heap(args.size() == 2 && args[0] == "--serve"
                                        ? bpfkit::large_pages::threads::shared_heap
                                        : bpfkit::large_pages::threads::own_arenas);
  if (args.size() == 1 && args[0] == "--version") {
    std::printf("bpfkit-test (bpfkit) %s\n", bpfkit::version);
    return exit_passed;
  }
  try {
    if (!args.empty() && args.size() <= 2 && args[0] == "--setup") return setup(args.size() == 2 ? args[1] : "");
    if (!args.empty() && args.size() <= 2 && args[0] == "--cleanup")
      return cleanup(args.size() == 2 ? args[1] : "");
    if (args.size() == 2 && args[0] == "--serve") return serve(args[1]);
    if (args.size() == 5 && args[0] == "--annotated") return run_annotated(args[1], args[2], args[3], args[4]);
    if (args.size() >= 6 && args[0] == "--discover")
      return discover(args[1], args[2], args[3], args[4], args[5], {args.begin() + 6, args.end()});
    if (args.size() == 2 && args[0] == "--no-annotations") {
      std::printf("bpfkit-test: %s: no program carries bpfkit annotations (see bpfkit/test.h)\n",
                  args[1].c_str());
      return exit_failed;
    }
    if (args.size() != 1 || args[0].starts_with("--")) {
      std::fprintf(stderr,
                   "usage: bpfkit-test SPEC | --setup [BUILD_DIR] | --cleanup [BUILD_DIR] | --annotated OBJ PROG TEST BUILD_DIR |\n"
                   "       --discover OBJ TEST BUILD_DIR LABELS OUT [VAR=VALUE...] | --version\n");
      return exit_usage;
    }
    return run_spec(read_spec(args[0]), args[0]);
  } catch (const std::exception &e) {
    std::printf("bpfkit-test: error: %s\n", e.what());
    return exit_failed;
  }
}
