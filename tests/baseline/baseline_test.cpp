// The pure logic of bpfkit-baseline: the file format, the tolerance and the
// comparison messages (no kernel needed).
#include "baseline.hpp"

#include <gtest/gtest.h>

namespace bpfkit::baseline {
namespace {

measurement accepted(const std::string &object, const std::string &program, std::uint64_t insns) {
  return {{object, program}, insns, {}};
}

TEST(BaselineFile, RoundTripsSortedAndDeterministic) {
  counts rows{{{"b", "z"}, 3}, {{"a", "y"}, 2}, {{"a", "x"}, 1}};
  const std::string text = format_baseline(rows);
  EXPECT_EQ(text, "object,program,verified_insns\na,x,1\na,y,2\nb,z,3\n");
  EXPECT_EQ(parse_baseline(text, "f.csv"), rows);
}

TEST(BaselineFile, ToleratesCrlfBlankLinesAndSpaces) {
  counts rows = parse_baseline("object,program,verified_insns\r\n\r\n a , x , 7 \r\n", "f.csv");
  EXPECT_EQ(rows, (counts{{{"a", "x"}, 7}}));
}

TEST(BaselineFile, HeaderOnlyIsAnEmptyBaseline) {
  EXPECT_TRUE(parse_baseline("object,program,verified_insns\n", "f.csv").empty());
}

void expect_error(const std::string &text, const std::string &message) {
  try {
    parse_baseline(text, "dir/f.csv");
    FAIL() << "no error for:\n" << text;
  } catch (const file_error &e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(BaselineFile, ErrorsNameFileAndLine) {
  expect_error("", "dir/f.csv: the file is empty");
  expect_error("a,b,c\n", "dir/f.csv:1: the first line must be the header");
  expect_error("object,program,verified_insns\na,x\n", "dir/f.csv:2: expected 3 fields");
  expect_error("object,program,verified_insns\na,x,1,2\n", "dir/f.csv:2: expected 3 fields");
  expect_error("object,program,verified_insns\na,x,-1\n", "dir/f.csv:2: verified_insns '-1' is not a positive integer");
  expect_error("object,program,verified_insns\na,x,0\n", "verified_insns '0' is not a positive integer");
  expect_error("object,program,verified_insns\na,x,99999999999\n", "is not a positive integer");
  expect_error("object,program,verified_insns\n1a,x,1\n", "dir/f.csv:2: '1a' is not an object name");
  expect_error("object,program,verified_insns\na,x y,1\n", "'x y' is not a program name");
  expect_error("object,program,verified_insns\na,x,1\n\na,x,2\n", "dir/f.csv:4: a/x is listed twice (also on line 2)");
}

TEST(Tolerance, ParsesExactDecimals) {
  tolerance t = parse_tolerance("2.5");
  EXPECT_EQ(t.scaled, 25u);
  EXPECT_EQ(t.decimals, 1u);
  EXPECT_EQ(parse_tolerance("0").scaled, 0u);
  EXPECT_EQ(parse_tolerance("100").scaled, 100u);
  for (const char *bad : {"", "5%", "-1", "1.", ".5", "1.2345", "abc", "1e3", "1234567"})
    EXPECT_THROW(parse_tolerance(bad), std::invalid_argument) << bad;
}

TEST(PercentChange, RoundsToTenths) {
  EXPECT_EQ(percent_change(8, 9), "+12.5%");
  EXPECT_EQ(percent_change(3, 4), "+33.3%");
  EXPECT_EQ(percent_change(100, 90), "-10.0%");
  EXPECT_EQ(percent_change(20000, 20001), "+<0.1%");
  EXPECT_EQ(percent_change(20001, 20000), "-<0.1%");
  EXPECT_EQ(percent_change(10, 10), "+0.0%");
  EXPECT_EQ(percent_change(1, 1000000), "+99999900.0%");
}

TEST(Compare, GrowthAtTheToleranceIsWithinAndAboveIsPast) {
  counts base{{{"o", "p"}, 100}};
  tolerance five = parse_tolerance("5");
  EXPECT_EQ(compare(base, {accepted("o", "p", 105)}, five).findings[0].kind, verdict::grew_within);
  comparison past = compare(base, {accepted("o", "p", 106)}, five);
  EXPECT_EQ(past.findings[0].kind, verdict::grew_past);
  EXPECT_EQ(past.findings[0].text, "o/p: 100 -> 106 insns (+6.0%, tolerance 5%): grew past the tolerance");
  EXPECT_TRUE(past.failed());
  EXPECT_TRUE(past.update_fixes());

  tolerance fraction = parse_tolerance("0.5");
  counts big{{{"o", "p"}, 1000}};
  EXPECT_EQ(compare(big, {accepted("o", "p", 1005)}, fraction).findings[0].kind, verdict::grew_within);
  EXPECT_EQ(compare(big, {accepted("o", "p", 1006)}, fraction).findings[0].kind, verdict::grew_past);

  tolerance zero = parse_tolerance("0");
  EXPECT_EQ(compare(base, {accepted("o", "p", 101)}, zero).findings[0].kind, verdict::grew_past);
  EXPECT_EQ(compare(base, {accepted("o", "p", 100)}, zero).findings[0].kind, verdict::unchanged);
}

TEST(Compare, EveryKindOfFinding) {
  counts base{{{"o", "grew"}, 8}, {{"o", "same"}, 5}, {{"o", "shrank"}, 10},
              {{"o", "gone"}, 40}, {{"o", "bad"}, 7}};
  std::vector<measurement> now{accepted("o", "grew", 9), accepted("o", "same", 5),
                               accepted("o", "shrank", 9), accepted("o", "fresh", 3),
                               {{"o", "bad"}, std::nullopt, "invalid access\n  at x.c:3: y"}};
  comparison c = compare(base, now, parse_tolerance("5"));
  ASSERT_EQ(c.findings.size(), 6u);
  // Sorted by program.
  EXPECT_EQ(c.findings[0].text, "o/bad: rejected by the verifier (baseline: 7 insns):\n    invalid access\n      at x.c:3: y");
  EXPECT_EQ(c.findings[1].text, "o/fresh: new program, 3 insns, not in the baseline");
  EXPECT_EQ(c.findings[2].text, "o/gone: removed: in the baseline (40 insns) but no longer in the objects");
  EXPECT_EQ(c.findings[3].text, "o/grew: 8 -> 9 insns (+12.5%, tolerance 5%): grew past the tolerance");
  EXPECT_EQ(c.findings[4].text, "o/same: 5 -> 5 insns (unchanged)");
  EXPECT_EQ(c.findings[5].text, "o/shrank: 10 -> 9 insns (-10.0%, tolerance 5%): shrank");
  EXPECT_TRUE(c.failed());
  EXPECT_FALSE(c.update_fixes());  // the rejection needs a code fix
  EXPECT_EQ(summary(c, {verdict::grew_past, verdict::added, verdict::removed, verdict::rejected}),
            "1 grew past the tolerance, 1 new, 1 removed, 1 rejected by the verifier");
  EXPECT_EQ(summary(c, {verdict::grew_within, verdict::shrunk, verdict::unchanged}), "1 shrank, 1 unchanged");
}

TEST(Compare, NewAndRemovedFailShrinkingPasses) {
  tolerance five = parse_tolerance("5");
  EXPECT_TRUE(compare({}, {accepted("o", "p", 1)}, five).failed());
  EXPECT_TRUE(compare({{{"o", "p"}, 1}}, {}, five).failed());
  EXPECT_FALSE(compare({{{"o", "p"}, 10}}, {accepted("o", "p", 1)}, five).failed());
}

TEST(Spec, ReadsWhatCMakeWrites) {
  spec s = parse_spec(
      "test=budget\nfile=/src/b.csv\ntolerance=2.5\nupdate=cmake --build /b --target budget_update\n"
      "object=counter=/b/counter.bpf.o\nobject=filter=/b/x=y.bpf.o\n",
      "s");
  EXPECT_EQ(s.test, "budget");
  EXPECT_EQ(s.tol.spelled, "2.5");
  ASSERT_EQ(s.objects.size(), 2u);
  EXPECT_EQ(s.objects[1].first, "filter");
  EXPECT_EQ(s.objects[1].second, "/b/x=y.bpf.o");
  EXPECT_THROW(parse_spec("test=t\nfile=f\ntolerance=5\n", "s"), file_error);
  EXPECT_THROW(parse_spec("test=t\nfile=f\ntolerance=5\nobject=o=p\nextra=1\n", "s"), file_error);
}

}  // namespace
}  // namespace bpfkit::baseline
