// GoogleTest suite of the C++ flow counter (bpf_add_test GTEST): the XDP and
// tc programs through test runs, the tracepoint through real TCP connections
// in a private network namespace. Each case gets a freshly loaded skeleton;
// without the privilege to load BPF every case is reported as skipped.
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <bpfkit/testing/netns.hpp>
#include <linux/bpf.h>
#include <bpfkit/testing.hpp>

#include "flow_counter.skel.hpp"

namespace {

using bpfkit::testing::HasCount;
using flow_counter::types::flow_key;

constexpr std::uint8_t ipproto_udp = 17;

std::vector<std::uint8_t> udp_frame_to(std::uint16_t port) {
  bpfkit::testing::udp_endpoints endpoints;
  endpoints.destination_port = port;
  return bpfkit::testing::udp_frame({}, endpoints);
}

class flows : public bpfkit::testing::skeleton_test<flow_counter::skeleton> {};

TEST_F(flows, CountsEachFlowWithItsTypedKey) {
  const auto frame = udp_frame_to(53);
  const auto result = skel().progs.count_flows.test_run({.data_in = frame, .repeat = 3});
  EXPECT_EQ(result.retval, static_cast<std::uint32_t>(XDP_PASS));

  flow_key key{};
  key.saddr = htonl(0x0a000001);  // bpfkit::testing::udp_endpoints: 10.0.0.1:40000 -> 10.0.0.2
  key.daddr = htonl(0x0a000002);
  key.sport = 40000;
  key.dport = 53;
  key.protocol = ipproto_udp;
  const auto stats = skel().maps.flows.lookup(key);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->packets, 3u);
  EXPECT_EQ(stats->bytes, 3u * frame.size());
  EXPECT_THAT(skel().maps.flows, HasCount(1));
}

TEST_F(flows, TcPassesWhatIsNotBlocked) {
  const auto result = skel().progs.police_flows.test_run({.data_in = udp_frame_to(53)});
  EXPECT_EQ(result.retval, static_cast<std::uint32_t>(TC_ACT_OK));
}

TEST_F(flows, StaysWithinItsVerifierBudget) {
  if (skel().progs.count_flows.verified_insns() == 0)
    GTEST_SKIP() << "this kernel does not count verified instructions (Linux 5.16 or later does)";
  EXPECT_VERIFIED_INSNS_LE(skel().progs.count_flows, 200);
  EXPECT_VERIFIED_INSNS_LE(skel().progs.police_flows, 200);
}

class blocking : public bpfkit::testing::skeleton_test<flow_counter::skeleton> {
 protected:
  void configure(flow_counter::skeleton& skel) override { skel.rodata->blocked_port = 53; }
};

TEST_F(blocking, DropsTheBlockedPortOnBothPaths) {
  EXPECT_EQ(skel().progs.count_flows.test_run({.data_in = udp_frame_to(53)}).retval,
            static_cast<std::uint32_t>(XDP_DROP));
  EXPECT_EQ(skel().progs.count_flows.test_run({.data_in = udp_frame_to(9)}).retval,
            static_cast<std::uint32_t>(XDP_PASS));
  EXPECT_EQ(skel().progs.police_flows.test_run({.data_in = udp_frame_to(53)}).retval,
            static_cast<std::uint32_t>(TC_ACT_SHOT));
}

// A port of this process's own, so that TCP connections elsewhere on the
// (shared) kernel are not counted.
std::uint16_t own_port() { return static_cast<std::uint16_t>(20000 + ::getpid() % 20000); }

class tcp_tracking : public bpfkit::testing::skeleton_test<flow_counter::skeleton> {
 protected:
  void configure(flow_counter::skeleton& skel) override { skel.rodata->watched_port = own_port(); }
};

TEST_F(tcp_tracking, SeesConnectionsEstablished) {
  if (!std::filesystem::exists("/sys/kernel/tracing/events/sock/inet_sock_set_state"))
    GTEST_SKIP() << "tracefs is not mounted at /sys/kernel/tracing "
                    "(mount -t tracefs nodev /sys/kernel/tracing)";
  skel().attach();  // track_tcp, by its SEC("tracepoint/...")

  bpfkit::testing::netns::private_netns net;  // loopback of our own
  bpfkit::testing::netns::set_link_up("lo");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(own_port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(client);
  ::close(listener);

  constexpr std::uint32_t tcp_established = 1;  // include/net/tcp_states.h
  EXPECT_TRUE(bpfkit::testing::eventually([&] {
    return skel().maps.tcp_states.lookup(tcp_established).value_or(0) >= 1;
  }));
}

}  // namespace
