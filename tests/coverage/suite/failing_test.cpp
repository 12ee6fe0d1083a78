// Cases for coverage.suite's check of bpf_printk output under failures: one
// passes, one fails on purpose after its program printed three lines. Both
// print a tag in the frame's first byte, so the failure can show that only
// its own lines are listed.
#include <bpfkit/testing.hpp>

#include <cstdint>
#include <vector>

#include "printk.skel.hpp"

namespace {

class printk_test : public bpfkit::testing::skeleton_test<printk::skeleton> {
 protected:
  std::uint32_t run_tagged(std::uint8_t tag, std::uint32_t repeat) {
    std::vector<std::uint8_t> frame(64, 0);
    frame[0] = tag;
    bpfkit::test_run_opts opts;
    opts.data_in = frame;
    opts.repeat = repeat;
    return skel().progs.say_tag.test_run(opts).retval;
  }
};

TEST_F(printk_test, passes) { EXPECT_EQ(run_tagged(5, 2), 2u); }

TEST_F(printk_test, fails_on_purpose) {
  EXPECT_EQ(run_tagged(9, 3), 1u) << "deliberately expects XDP_DROP";
}

}  // namespace
