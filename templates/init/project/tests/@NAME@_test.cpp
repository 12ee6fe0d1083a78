// GoogleTest suite of count_packets: each case gets a freshly loaded
// skeleton (bpfkit::testing::skeleton_test); without the privilege to load
// BPF programs the cases report skipped.
#include <linux/bpf.h>      // XDP_PASS: the skeleton includes no kernel headers
#include <linux/if_link.h>

#include <bpfkit/testing.hpp>

#include "@NAME@.skel.hpp"

namespace {

using bpfkit::testing::HasCount;
using bpfkit::testing::HasEntry;

constexpr std::uint32_t udp = 17;

class @NAME@_test : public bpfkit::testing::skeleton_test<@NAME@::skeleton> {};

TEST_F(@NAME@_test, PassesEveryPacket) {
  const auto result = skel().progs.count_packets.test_run({.data_in = bpfkit::testing::udp_frame()});
  EXPECT_EQ(result.retval, static_cast<std::uint32_t>(XDP_PASS));
}

TEST_F(@NAME@_test, CountsUdpPackets) {
  skel().progs.count_packets.test_run({.data_in = bpfkit::testing::udp_frame(), .repeat = 4});
  EXPECT_THAT(skel().maps.packets, HasEntry(udp, 4));
  EXPECT_THAT(skel().maps.packets, HasCount(1));
}

TEST_F(@NAME@_test, CountsTruncatedIpv4AsProtocolZero) {
  // An IPv4 frame cut after 10 bytes of its IP header: the bounds check
  // must stop the program from reading the protocol byte.
  auto frame = bpfkit::testing::udp_frame();
  frame.resize(14 + 10);
  skel().progs.count_packets.test_run({.data_in = frame});
  EXPECT_THAT(skel().maps.packets, HasEntry(0, 1));
}

TEST_F(@NAME@_test, CountsRealPacketsOnAVethPair) {
  bpfkit::testing::veth_pair net;  // a private network namespace: veth0 -> veth1
  auto attached = skel().progs.count_packets.attach_xdp(net.receiver_ifindex(), XDP_FLAGS_SKB_MODE);
  for (int i = 0; i < 5; ++i) net.send(net.udp_frame());
  EXPECT_TRUE(bpfkit::testing::eventually(
      [&] { return skel().maps.packets.lookup(udp) == std::uint64_t{5}; }));
}

}  // namespace
