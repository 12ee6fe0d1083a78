// Every kind of load failure through bpfkit::object::try_load() and load():
// each program's verdict is typed, a failure before the verifier is named as
// such with libbpf's own reason, and one failing program never hides the
// verdict of another.
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "bpf_test.hpp"

namespace runtime_test {
namespace {

using bpfkit::failure_stage;
using bpfkit::load_status;

// The line of `source` holding `marker`.
std::uint32_t line_of(const char* source, const char* marker) {
  std::ifstream in(source);
  std::string line;
  for (std::uint32_t number = 1; std::getline(in, line); ++number)
    if (line.find(marker) != std::string::npos) return number;
  return 0;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bpfkit::error load_error(const char* path) {
  bpfkit::object object = bpfkit::object::open_file(path);
  try {
    object.load();
  } catch (const bpfkit::error& e) {
    return e;
  }
  throw std::runtime_error(std::string("loading ") + path + " succeeded");
}

TEST_F(bpf_test, MapThatCannotBeCreatedIsNamedWithLibbpfsReason) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_BAD_MAP_OBJECT);
  const bpfkit::load_report report = object.try_load();
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(object.loaded());
  ASSERT_TRUE(report.object_failure);
  const bpfkit::program_report& failure = *report.object_failure;
  EXPECT_EQ(failure.status, load_status::failed_before_verifier);
  EXPECT_EQ(failure.stage, failure_stage::map_creation);
  EXPECT_EQ(failure.subject, "routes");
  EXPECT_EQ(failure.error, EINVAL);
  EXPECT_TRUE(contains(failure.reason, "map 'routes': failed to create: Invalid argument")) << failure.reason;
  // Every program shares the verdict: none reached the verifier.
  ASSERT_EQ(report.programs.size(), 2u);
  for (const bpfkit::program_report& p : report.programs) {
    EXPECT_EQ(p.status, load_status::failed_before_verifier) << p.name;
    EXPECT_EQ(p.stage, failure_stage::map_creation) << p.name;
  }

  bpfkit::error e = load_error(RUNTIME_BAD_MAP_OBJECT);
  const std::string what = e.what();
  EXPECT_TRUE(contains(what, "load object 'runtime_bad_map': failed before the verifier: map 'routes' "
                             "cannot be created (libbpf: map 'routes': failed to create: Invalid argument"))
      << what;
  EXPECT_FALSE(contains(what, "rejected by the verifier")) << what;
  EXPECT_EQ(e.code(), std::errc::invalid_argument);
  EXPECT_TRUE(e.verifier_log().empty());
}

TEST_F(bpf_test, MissingAttachTargetAndAcceptedSibling) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_NO_TARGET_OBJECT);
  const bpfkit::load_report report = object.try_load();
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(report.object_failure);
  ASSERT_EQ(report.programs.size(), 2u);
  const bpfkit::program_report& missing = report.programs[0];
  EXPECT_EQ(missing.name, "missing_target");
  EXPECT_EQ(missing.status, load_status::failed_before_verifier);
  EXPECT_EQ(missing.stage, failure_stage::attach_target);
  EXPECT_EQ(missing.subject, "bpfkit_no_such_function");
  EXPECT_TRUE(contains(missing.summary(),
                       "program 'missing_target' (fentry/bpfkit_no_such_function) failed before the "
                       "verifier: its attach target 'bpfkit_no_such_function' is not in the kernel's "
                       "BTF (libbpf: prog 'missing_target': failed to find kernel BTF type ID of "
                       "'bpfkit_no_such_function'"))
      << missing.summary();
  const bpfkit::program_report& fine = report.programs[1];
  EXPECT_EQ(fine.name, "accepted_second");
  EXPECT_EQ(fine.status, load_status::accepted);
  EXPECT_GT(fine.verified_insns, 0u);

  bpfkit::error e = load_error(RUNTIME_NO_TARGET_OBJECT);
  EXPECT_TRUE(contains(e.what(), "its attach target 'bpfkit_no_such_function' is not in the kernel's BTF"))
      << e.what();
}

TEST_F(bpf_test, UnresolvableCoreRelocationIsNotAVerifierRejection) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_CORE_FAIL_OBJECT);
  const bpfkit::load_report report = object.try_load();
  const bpfkit::program_report* failed = report.find("unresolved_field");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->status, load_status::failed_before_verifier);
  EXPECT_EQ(failed->stage, failure_stage::core_relocation);
  EXPECT_TRUE(contains(failed->reason, "failed to resolve CO-RE relocation")) << failed->reason;
  EXPECT_TRUE(contains(failed->reason, "bpfkit_no_such_field")) << failed->reason;
  ASSERT_TRUE(failed->source);
  EXPECT_EQ(failed->source->line, line_of(CORE_FAIL_SOURCE, "CORE_LINE"));
  EXPECT_EQ(failed->source->file, CORE_FAIL_SOURCE);  // the path the object records
  EXPECT_TRUE(contains(failed->summary(), "failed before the verifier: a CO-RE relocation cannot be "
                                          "resolved on this kernel"))
      << failed->summary();
  EXPECT_EQ(report.find("resolved_fine")->status, load_status::accepted);
}

TEST_F(bpf_test, FirstProgramRejectedSecondAccepted) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_REJECTED_FIRST_OBJECT);
  const bpfkit::load_report report = object.try_load();
  ASSERT_EQ(report.programs.size(), 2u);
  EXPECT_EQ(report.programs[0].name, "unchecked_lookup");
  EXPECT_EQ(report.programs[0].status, load_status::rejected);
  EXPECT_TRUE(contains(report.programs[0].reason, "invalid mem access")) << report.programs[0].reason;
  EXPECT_EQ(report.programs[1].name, "checked_lookup");
  EXPECT_EQ(report.programs[1].status, load_status::accepted);
  EXPECT_GT(report.programs[1].verified_insns, 0u);
  // The failed load keeps nothing: the object must be opened again.
  EXPECT_FALSE(object.loaded());
  EXPECT_THROW(object.try_load(), bpfkit::error);
}

TEST_F(bpf_test, OnlyTheProgramsAskedForAreLoaded) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_REJECTED_FIRST_OBJECT);
  bpfkit::load_options options;
  options.programs = {"checked_lookup"};
  options.log_level = bpfkit::log_level::stats;
  const bpfkit::load_report report = object.try_load(options);
  EXPECT_TRUE(report.ok()) << report.message();
  EXPECT_TRUE(object.loaded());
  EXPECT_EQ(report.find("unchecked_lookup")->status, load_status::not_loaded);
  const bpfkit::program_report* loaded = report.find("checked_lookup");
  EXPECT_EQ(loaded->status, load_status::accepted);
  ASSERT_TRUE(loaded->stats);
  EXPECT_EQ(loaded->stats->processed_insns, loaded->verified_insns);
  EXPECT_EQ(object.program_by_name("checked_lookup").verified_insns(), loaded->verified_insns);
  EXPECT_EQ(object.program_by_name("unchecked_lookup").fd(), -1);
}

TEST_F(bpf_test, TraceLogOnRequest) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_REJECTED_FIRST_OBJECT);
  bpfkit::load_options options;
  options.programs = {"checked_lookup"};
  // An accepted program's trace needs `states` too: at `trace` alone the
  // kernel logs only the path to a rejection.
  options.log_level = bpfkit::log_level::trace | bpfkit::log_level::states | bpfkit::log_level::stats;
  options.log_size = 256;  // far too small: the log is grown, never cut short
  const bpfkit::load_report report = object.try_load(options);
  ASSERT_TRUE(report.ok()) << report.message();
  const std::string& log = report.find("checked_lookup")->log;
  EXPECT_TRUE(contains(log, "0: R1=ctx")) << log;
  EXPECT_TRUE(contains(log, "processed ")) << log;
}

TEST_F(bpf_test, UnknownProgramNamesAreMisuse) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_REJECTED_FIRST_OBJECT);
  bpfkit::load_options options;
  options.programs = {"checked_lookpu"};
  try {
    object.try_load(options);
    FAIL() << "an unknown program must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_TRUE(contains(e.what(), "it has no program 'checked_lookpu'; its programs: unchecked_lookup, "
                                   "checked_lookup"))
        << e.what();
  }
}

TEST_F(bpf_test, TracingRefusedAsRootIsNotNoPrivilege) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_TRAMPOLINE_OBJECT);
  const bpfkit::load_report report = object.try_load();
  const bpfkit::program_report& fentry = report.programs.at(0);
  if (fentry.status == load_status::accepted)
    GTEST_SKIP() << "this kernel allows fentry programs: nothing is refused";
  EXPECT_EQ(fentry.status, load_status::refused) << fentry.summary();
  EXPECT_EQ(fentry.error, EPERM);
  EXPECT_TRUE(contains(fentry.summary(), "program 'on_vfs_write' (fentry/vfs_write) refused by the kernel "
                                         "although this process is privileged"))
      << fentry.summary();
  EXPECT_FALSE(contains(fentry.summary(), "needs privileges")) << fentry.summary();
}

// Loads RUNTIME_BROKEN_OBJECT in a child process without any capability and
// returns what it reported: "<status>\n<summary>".
std::string load_without_capabilities() {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3]{};
    std::string out;
    if (::syscall(SYS_capset, &header, none) != 0) {
      out = "capset failed";
    } else {
      try {
        bpfkit::object object = bpfkit::object::open_file(RUNTIME_BROKEN_OBJECT);
        const bpfkit::load_report report = object.try_load();
        const bpfkit::program_report* p = report.first_failure();
        out = p ? std::string(bpfkit::describe(p->status)) + "\n" + p->summary() : "loaded";
      } catch (const std::exception& e) {
        out = std::string("threw: ") + e.what();
      }
    }
    (void)!::write(pipe_fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return out;
}

TEST_F(bpf_test, NoPrivilegeIsSaidAsThat) {
  const std::string out = load_without_capabilities();
  EXPECT_TRUE(out.starts_with("no privilege\n")) << out;
  EXPECT_TRUE(contains(out, "not loaded: loading BPF needs privileges this process lacks")) << out;
  EXPECT_TRUE(contains(out, "run as root, or with CAP_BPF")) << out;
}

}  // namespace
}  // namespace runtime_test
