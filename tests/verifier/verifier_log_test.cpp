// The verifier log reader against logs as kernel 6.x writes them.
#include "bpfkit/verifier_log.hpp"

#include <gtest/gtest.h>

using namespace bpfkit;

namespace {

// An out-of-bounds packet read rejected by a 6.18 kernel (log_level 1 with
// stats), including the liveness listing newer kernels print first.
constexpr std::string_view packet_oob_log =
    "func#0 @0\n"
    "Live regs before insn:\n"
    "      0: .1........ (61) r1 = *(u32 *)(r1 +0)\n"
    "      1: .1........ (71) r1 = *(u8 *)(r1 +20)\n"
    "      5: 0......... (95) exit\n"
    "0: R1=ctx() R10=fp0\n"
    "; void *data = (void *)(long)ctx->data; @ bad.bpf.c:7\n"
    "0: (61) r1 = *(u32 *)(r1 +0)          ; R1=pkt(r=0)\n"
    "; return p[20] == 1 ? XDP_DROP : XDP_PASS; @ /src/bad.bpf.c:9\n"
    "1: (71) r1 = *(u8 *)(r1 +20)\n"
    "invalid access to packet, off=20 size=1, R1(id=0,off=20,r=0)\n"
    "R1 offset is outside of the packet\n"
    "verification time 83 usec\n"
    "stack depth 0\n"
    "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
    "mark_read 0\n";

constexpr std::string_view success_log =
    "func#0 @0\n"
    "0: R1=ctx() R10=fp0\n"
    "; return XDP_PASS; @ ok.bpf.c:3\n"
    "0: (b7) r0 = 2                        ; R0_w=2\n"
    "1: (95) exit\n"
    "verification time 12 usec\n"
    "stack depth 16+8\n"
    "processed 2 insns (limit 1000000) max_states_per_insn 1 total_states 3 peak_states 4 "
    "mark_read 5\n";

}  // namespace

TEST(VerifierFailure, FindsInstructionMessageAndSource) {
  auto failure = find_verifier_failure(packet_oob_log);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->insn, 1u);
  EXPECT_EQ(failure->insn_text, "(71) r1 = *(u8 *)(r1 +20)");
  EXPECT_EQ(failure->message,
            "invalid access to packet, off=20 size=1, R1(id=0,off=20,r=0)\n"
            "R1 offset is outside of the packet");
  ASSERT_TRUE(failure->source);
  EXPECT_EQ(failure->source->file, "/src/bad.bpf.c");
  EXPECT_EQ(failure->source->line, 9u);
  EXPECT_EQ(failure->source->text, "return p[20] == 1 ? XDP_DROP : XDP_PASS;");
}

TEST(VerifierFailure, StripsRegisterStateFromTheInstruction) {
  auto failure = find_verifier_failure(
      "0: (61) r1 = *(u32 *)(r1 +0)          ; R1=pkt(r=0)\nR2 !read_ok\n");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->insn_text, "(61) r1 = *(u32 *)(r1 +0)");
  EXPECT_EQ(failure->message, "R2 !read_ok");
  EXPECT_FALSE(failure->source);  // no BTF line info in this log
}

TEST(VerifierFailure, ErrorsBeforeAnyInstruction) {
  auto failure = find_verifier_failure("unknown func bpf_foo#999\nprocessed 0 insns\n");
  ASSERT_TRUE(failure);
  EXPECT_FALSE(failure->insn);
  EXPECT_EQ(failure->message, "unknown func bpf_foo#999");
}

TEST(VerifierFailure, NoneInASuccessfulOrEmptyLog) {
  EXPECT_FALSE(find_verifier_failure(success_log));
  EXPECT_FALSE(find_verifier_failure(""));
  EXPECT_FALSE(find_verifier_failure("\n\n"));
}

TEST(VerifierFailure, SourceLineIsTheLastOneBeforeTheInstruction) {
  auto failure = find_verifier_failure(
      "; a = 1; @ x.c:1\n0: (b7) r1 = 1\n; b = a + 2; @ x.c:2\n; c = *p; @ x.c:3\n"
      "1: (79) r2 = *(u64 *)(r3 +0)\nR3 invalid mem access 'scalar'\n");
  ASSERT_TRUE(failure && failure->source);
  EXPECT_EQ(failure->source->line, 3u);
  EXPECT_EQ(failure->source->text, "c = *p;");
}

TEST(VerifierStats, ParsesTheTrailer) {
  auto stats = parse_verifier_stats(success_log);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->processed_insns, 2u);
  EXPECT_EQ(stats->max_states_per_insn, 1u);
  EXPECT_EQ(stats->total_states, 3u);
  EXPECT_EQ(stats->peak_states, 4u);
  EXPECT_EQ(stats->mark_read, 5u);
  EXPECT_EQ(stats->duration_us, 12u);
  EXPECT_EQ(stats->stack_depth, "16+8");
}

TEST(VerifierStats, AbsentWithoutTheProcessedLine) {
  EXPECT_FALSE(parse_verifier_stats("0: (95) exit\n"));
}

TEST(VerifierLogTail, DropsStatisticsAndKeepsTheLastLines) {
  EXPECT_EQ(verifier_log_tail(packet_oob_log, 2),
            "invalid access to packet, off=20 size=1, R1(id=0,off=20,r=0)\n"
            "R1 offset is outside of the packet");
  EXPECT_EQ(verifier_log_tail("a\nb\n", 10), "a\nb");
}
