// The tracefs `trace` text a printk capture reads, and what a failure shows.
#include <gtest/gtest.h>

#include "bpfkit/printk_capture.hpp"

namespace {

TEST(printk_parse, reads_lines_with_and_without_the_tgid_column) {
  const std::string text =
      "# tracer: nop\n"
      "#\n"
      "#           TASK-PID       TGID    CPU#  |||||  TIMESTAMP  FUNCTION\n"
      "      printk_run-20228   (  20228) [000] b..11  3118.585099: bpf_trace_printk: hello from xdp len=64\n"
      "     bpfkit-test-31 [001] d..2. 12.000001: bpf_trace_printk: two: parts: here\n"
      "   my-prog name-7   (-------) [003] ....  99.5: bpf_trace_printk: first line\n"
      "second line\n"
      "\n"
      "          <idle>-0       [000] ..s1.  100.000000: bpf_trace_printk: \n";
  const auto lines = bpfkit::parse_printk_trace(text);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].task, "printk_run");
  EXPECT_EQ(lines[0].pid, 20228);
  EXPECT_EQ(lines[0].cpu, 0);
  EXPECT_EQ(lines[0].timestamp, "3118.585099");
  EXPECT_EQ(lines[0].message, "hello from xdp len=64");
  EXPECT_EQ(lines[1].task, "bpfkit-test");
  EXPECT_EQ(lines[1].pid, 31);
  EXPECT_EQ(lines[1].cpu, 1);
  EXPECT_EQ(lines[1].message, "two: parts: here");
  EXPECT_EQ(lines[2].task, "my-prog name");
  EXPECT_EQ(lines[2].message, "first line\nsecond line") << "a message with a newline continues";
  EXPECT_EQ(lines[3].message, "");
}

TEST(printk_parse, formats_lines_for_a_failure_message) {
  bpfkit::printk_line a{"bpfkit-test", 31, 1, "12.000001", "x=1"};
  bpfkit::printk_line b{"bpfkit-test", 31, 0, "12.000002", "two\nlines"};
  EXPECT_EQ(bpfkit::format_printk({a, b}),
            "    12.000001 cpu1 bpfkit-test-31: x=1\n"
            "    12.000002 cpu0 bpfkit-test-31: two\n"
            "      lines\n");
  EXPECT_EQ(bpfkit::format_printk({}), "");
}

TEST(printk_parse, tells_printing_programs_from_silent_ones) {
  bpf_insn printing[2] = {};
  printing[0].code = BPF_JMP | BPF_CALL;
  printing[0].imm = 6;  // bpf_trace_printk
  printing[1].code = BPF_JMP | BPF_EXIT;
  EXPECT_TRUE(bpfkit::calls_printk(printing));
  printing[0].imm = 177;  // bpf_trace_vprintk
  EXPECT_TRUE(bpfkit::calls_printk(printing));
  printing[0].imm = 1;  // bpf_map_lookup_elem
  EXPECT_FALSE(bpfkit::calls_printk(printing));
  printing[0].imm = 6;
  printing[0].src_reg = 1;  // a bpf-to-bpf call, not a helper
  EXPECT_FALSE(bpfkit::calls_printk(printing));
}

}  // namespace
