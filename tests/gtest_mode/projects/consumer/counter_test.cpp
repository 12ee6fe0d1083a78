#include <bpfkit/testing.hpp>

#include "xdp_hits.skel.hpp"

using bpfkit::testing::HasEntry;

class counter : public bpfkit::testing::skeleton_test<xdp_hits::skeleton> {};

TEST_F(counter, counts_packets) {
  const auto frame = bpfkit::testing::udp_frame();
  skel().progs.count.test_run({.data_in = frame, .repeat = 3});
  EXPECT_THAT(skel().maps.hits, HasEntry(0, 3));
  EXPECT_VERIFIED_INSNS_LE(skel().progs.count, 100);
  EXPECT_FALSE(pin_dir().empty());
}
