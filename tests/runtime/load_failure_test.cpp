// A program the verifier rejects: the error names the object and program,
// gives the verifier's reason and the source line, and carries the whole log
// even when it outgrows the first log buffer.
#include <fstream>
#include <string>

#include "bpf_test.hpp"

namespace runtime_test {
namespace {

// The line of broken.bpf.c the verifier must point at (marked BROKEN_LINE).
int broken_line() {
  std::ifstream source(BROKEN_SOURCE);
  std::string line;
  for (int number = 1; std::getline(source, line); ++number)
    if (line.find("BROKEN_LINE") != std::string::npos) return number;
  return -1;
}

bpfkit::error load_failure(const char* path) {
  bpfkit::object object = bpfkit::object::open_file(path);
  try {
    object.load();
  } catch (const bpfkit::error& e) {
    return e;
  }
  throw std::runtime_error(std::string("loading ") + path + " succeeded");
}

TEST_F(bpf_test, RejectedProgramIsExplainedWithItsSourceLine) {
  bpfkit::error e = load_failure(RUNTIME_BROKEN_OBJECT);
  std::string what = e.what();
  EXPECT_EQ(e.code(), std::errc::permission_denied) << what;  // EACCES: the verifier said no
  EXPECT_NE(what.find("load object 'runtime_broken': program 'null_deref' (xdp) rejected by the "
                      "verifier: "),
            std::string::npos)
      << what;
  ASSERT_NE(e.report(), nullptr);
  EXPECT_EQ(e.report()->find("null_deref")->status, bpfkit::load_status::rejected);
  EXPECT_NE(what.find("invalid mem access 'map_value_or_null'"), std::string::npos) << what;
  std::string location = "broken.bpf.c:" + std::to_string(broken_line());
  EXPECT_NE(what.find(location), std::string::npos) << "no " << location << " in:\n" << what;
  EXPECT_NE(e.verifier_log().find("invalid mem access"), std::string::npos) << e.verifier_log();
}

TEST_F(bpf_test, LongLogIsCompletedNotTruncated) {
  bpfkit::error e = load_failure(RUNTIME_LONG_LOG_OBJECT);
  const std::string& log = e.verifier_log();
  // The real reason, not ENOSPC from a full first buffer (256 KiB).
  EXPECT_EQ(e.code(), std::errc::permission_denied) << e.what();
  EXPECT_GT(log.size(), 256u * 1024) << "the log did not outgrow the first buffer";
  EXPECT_NE(log.find("\n0: ("), std::string::npos) << "the log's beginning is missing";
  EXPECT_NE(log.find("invalid mem access"), std::string::npos) << "the log's end is missing";
  EXPECT_NE(std::string(e.what()).find("invalid mem access 'map_value_or_null'"), std::string::npos)
      << e.what();
}

TEST_F(bpf_test, FailedObjectMustBeOpenedAgain) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_BROKEN_OBJECT);
  EXPECT_THROW(object.load(), bpfkit::error);
  EXPECT_FALSE(object.loaded());
  try {
    object.load();
    FAIL() << "loading a failed object again must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("an earlier load failed; open it again"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace runtime_test
