// GoogleTest suite of the packet counter (bpf_add_test GTEST): each case gets
// a freshly loaded skeleton; without the privilege to load BPF every case is
// reported as skipped.
#include <linux/bpf.h>  // XDP_PASS
#include <linux/if_link.h>  // XDP_FLAGS_SKB_MODE

#include <bpfkit/testing.hpp>

#include "xdp_counter.skel.hpp"

namespace {

using bpfkit::testing::HasCount;
using bpfkit::testing::HasEntry;
using bpfkit::testing::Lacks;

class xdp_counter_test : public bpfkit::testing::skeleton_test<xdp_counter::skeleton> {};

TEST_F(xdp_counter_test, PassesEveryPacket) {
  const auto frame = bpfkit::testing::udp_frame();
  const auto result = skel().progs.count_packets.test_run({.data_in = frame});
  EXPECT_EQ(result.retval, static_cast<std::uint32_t>(XDP_PASS));
}

TEST_F(xdp_counter_test, CountsEveryRun) {
  EXPECT_THAT(skel().maps.PACKET_COUNTER, Lacks(0));
  const auto frame = bpfkit::testing::udp_frame();
  skel().progs.count_packets.test_run({.data_in = frame, .repeat = 7});
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 7));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasCount(1));
}

TEST_F(xdp_counter_test, StaysWithinItsVerifierBudget) {
  EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 64);
}

TEST_F(xdp_counter_test, CountsRealPacketsOnAVethPair) {
  bpfkit::testing::veth_pair net;  // private network namespace: veth0 -> veth1
  auto attached =
      skel().progs.count_packets.attach_xdp(net.receiver_ifindex(), XDP_FLAGS_SKB_MODE);
  for (int i = 0; i < 10; ++i) net.send(net.udp_frame());
  EXPECT_TRUE(bpfkit::testing::eventually(
      [&] { return skel().maps.PACKET_COUNTER.lookup(0) == std::uint64_t{10}; }));
}

}  // namespace
