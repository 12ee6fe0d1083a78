// lcov tracefiles: what bpfkit writes, reads back and merges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bpfkit/coverage/coverage_data.hpp"
#include "bpfkit/coverage/instrument.hpp"

namespace cov = bpfkit::coverage;
namespace fs = std::filesystem;

namespace {

const char *const sample =
    "TN:first\n"
    "SF:/src/prog.bpf.c\n"
    "FN:3,helper\n"
    "FN:10,handler\n"
    "FNDA:0,helper\n"
    "FNDA:4,handler\n"
    "FNF:2\n"
    "FNH:1\n"
    "BRDA:4,0,0,-\n"
    "BRDA:4,0,1,-\n"
    "BRDA:12,0,0,1\n"
    "BRDA:12,0,1,3\n"
    "BRF:4\n"
    "BRH:2\n"
    "DA:3,0\n"
    "DA:11,4\n"
    "DA:12,4\n"
    "DA:13,1\n"
    "LF:4\n"
    "LH:3\n"
    "end_of_record\n";

TEST(lcov, reads_what_it_writes_with_its_totals) {
  const cov::tracefile trace = cov::parse_lcov(sample, "sample.info");
  const cov::file_coverage &file = trace.tests.at("first").files.at("/src/prog.bpf.c");
  EXPECT_EQ(file.lines.at(12), 4u);
  EXPECT_EQ(file.functions.at("helper").line, 3u);
  EXPECT_EQ(file.branches.at({4, 0, 0}), std::nullopt);
  EXPECT_EQ(file.branches.at({12, 0, 1}), 3u);
  // Written in lcov's order (functions and branches by line), with totals.
  const std::string written = cov::to_lcov(trace);
  EXPECT_EQ(written, sample);
  EXPECT_EQ(cov::to_lcov(cov::parse_lcov(written, "again")), written);
}

TEST(lcov, merging_sums_counts_and_keeps_tests_apart) {
  cov::tracefile a = cov::parse_lcov(sample, "a"), b = cov::parse_lcov(sample, "b");
  a.merge(b);
  const cov::file_coverage &file = a.tests.at("first").files.at("/src/prog.bpf.c");
  EXPECT_EQ(file.lines.at(12), 8u);
  EXPECT_EQ(file.lines.at(3), 0u);
  EXPECT_EQ(file.functions.at("handler").count, 8u);
  EXPECT_EQ(file.branches.at({12, 0, 0}), 2u);
  EXPECT_EQ(file.branches.at({4, 0, 0}), std::nullopt) << "'-' merged with '-' stays '-'";

  cov::file_coverage ran;
  ran.branches[{4, 0, 0}] = 0;
  ran.branches[{4, 0, 1}] = 2;
  cov::tracefile c;
  c.tests["first"].files["/src/prog.bpf.c"] = ran;
  c.tests["second"].files["/src/prog.bpf.c"] = ran;
  a.merge(c);
  EXPECT_EQ(a.tests.at("first").files.at("/src/prog.bpf.c").branches.at({4, 0, 0}), 0u);
  EXPECT_EQ(a.tests.at("first").files.at("/src/prog.bpf.c").branches.at({4, 0, 1}), 2u);
  EXPECT_EQ(a.tests.size(), 2u);
}

TEST(lcov, test_names_are_what_lcov_accepts) {
  EXPECT_EQ(cov::lcov_test_name("harness.counter-after repeat/2"), "harness_counter_after_repeat_2");
  cov::tracefile t;
  t.tests["gtest.Suite.Case"].files["/x.c"].lines[1] = 1;
  EXPECT_EQ(cov::to_lcov(t).rfind("TN:gtest_Suite_Case\nSF:/x.c\n", 0), 0u);
}

std::string parse_error(const std::string &text) {
  try {
    cov::parse_lcov(text, "bad.info");
  } catch (const cov::error &e) {
    return e.what();
  }
  return "no error";
}

TEST(lcov, malformed_input_names_the_file_and_line) {
  EXPECT_EQ(parse_error("TN:x\nSF:/a.c\nDA:abc,1\n"), "bad.info:3: DA is not DA:<line>,<count>: 'DA:abc,1'");
  EXPECT_EQ(parse_error("DA:1,1\n"), "bad.info:1: a DA record outside SF ... end_of_record: 'DA:1,1'");
  EXPECT_EQ(parse_error("SF:/a.c\nBRDA:1,0,0\n"),
            "bad.info:2: BRDA is not BRDA:<line>,<block>,<branch>,<taken|->: 'BRDA:1,0,0'");
  EXPECT_EQ(parse_error("SF:/a.c\nFN:x,f\n"), "bad.info:2: FN is not FN:<line>,<name>: 'FN:x,f'");
  EXPECT_EQ(parse_error("SF:/a.c\nFNDA:1\n"), "bad.info:2: FNDA is not FNDA:<count>,<name>: 'FNDA:1'");
  EXPECT_EQ(parse_error("SF:\n"), "bad.info:1: SF names no file: 'SF:'");
  EXPECT_EQ(parse_error("VER:2\nTN:\nSF:/a.c\nLF:0\nend_of_record\n"), "no error") << "unknown records are skipped";
}

TEST(lcov, files_are_written_whole_or_not_at_all) {
  const fs::path dir = fs::temp_directory_path() / ("bpfkit-lcov-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const cov::tracefile trace = cov::parse_lcov(sample, "sample");
  cov::write_tracefile(dir / "out.info", trace);
  EXPECT_EQ(cov::to_lcov(cov::read_tracefile(dir / "out.info")), cov::to_lcov(trace));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u) << "no temporary file is left behind";
  try {
    cov::write_tracefile(dir / "missing" / "out.info", trace);
    FAIL() << "no error";
  } catch (const cov::error &e) {
    EXPECT_EQ(std::string(e.what()), (dir / "missing" / "out.info").string() + ": cannot create: No such file or directory");
  }
  try {
    cov::read_tracefile(dir / "absent.info");
    FAIL() << "no error";
  } catch (const cov::error &e) {
    EXPECT_EQ(std::string(e.what()), (dir / "absent.info").string() + ": cannot open: No such file or directory");
  }
  fs::remove_all(dir);
}

}  // namespace
