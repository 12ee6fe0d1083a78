// coverage.suite's GoogleTest case: a 300-byte frame takes the long and the
// huge branch of branch_on_length once.
#include <bpfkit/testing.hpp>

#include <cstdint>
#include <vector>

#include "paths.skel.hpp"

namespace {

class paths_test : public bpfkit::testing::skeleton_test<paths::skeleton> {};

TEST_F(paths_test, a_huge_frame_takes_the_long_branch) {
  const std::vector<std::uint8_t> frame(300, 0);
  bpfkit::test_run_opts opts;
  opts.data_in = frame;
  EXPECT_EQ(skel().progs.branch_on_length.test_run(opts).retval, 2u);  // XDP_PASS
  EXPECT_EQ(skel().bss->huge_runs, 1u);
}

}  // namespace
