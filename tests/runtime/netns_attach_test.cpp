// XDP and tc programs on a veth pair in a private network namespace: they
// see the frames sent to them while attached, and no more once detached.
// The host's interfaces are never touched.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "bpf_test.hpp"

namespace runtime_test {
namespace {

using namespace std::chrono_literals;
namespace netns = bpfkit::testing::netns;

constexpr std::uint32_t xdp_slot = 0, tc_slot = 1;  // packets[] in attach.bpf.c

class netns_attach_test : public bpf_test {
 protected:
  void SetUp() override {
    bpf_test::SetUp();
    if (IsSkipped()) return;
    try {
      netns_ = std::make_unique<netns::private_netns>();
    } catch (const bpfkit::error& e) {
      if (e.code() == std::errc::operation_not_permitted) GTEST_SKIP() << e.what();
      throw;
    }
    netns::disable_ipv6();  // no traffic but ours
    netns::create_veth("veth0", "veth1");
    netns::set_link_up("veth1");
    netns::set_link_up("veth0");
    object = load(RUNTIME_ATTACH_OBJECT);
    packets = bpfkit::hash_map<std::uint32_t, std::uint64_t>(object.map_by_name("packets"));
  }

  // Back in the original namespace first; the private one then vanishes.
  void TearDown() override { netns_.reset(); }

  // Sends `n` Ethernet frames out of `from` to the other end of the pair.
  static void send_frames(const char* from, const char* to, int n) {
    int sock = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    ASSERT_GE(sock, 0) << std::strerror(errno);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_ifindex = netns::link_index(from);
    address.sll_halen = ETH_ALEN;
    netns::mac_address destination = netns::link_mac(to), source = netns::link_mac(from);
    std::memcpy(address.sll_addr, destination.data(), ETH_ALEN);
    std::uint8_t frame[60] = {};
    std::memcpy(frame, destination.data(), ETH_ALEN);
    std::memcpy(frame + ETH_ALEN, source.data(), ETH_ALEN);
    frame[12] = 0x88;  // IEEE local experimental ethertype 0x88b5
    frame[13] = 0xb5;
    for (int i = 0; i < n; ++i)
      EXPECT_EQ(::sendto(sock, frame, sizeof frame, 0, reinterpret_cast<sockaddr*>(&address),
                         sizeof address),
                static_cast<ssize_t>(sizeof frame))
          << std::strerror(errno);
    ::close(sock);
  }

  // Frames reach the hooks asynchronously: waits until `slot` counts
  // `expected`, then a moment more to catch any extra, for at most 2 s.
  std::uint64_t counted(std::uint32_t slot, std::uint64_t expected) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (packets.lookup(slot).value_or(0) < expected &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return settled(slot);
  }

  // The count once frames in flight had time to arrive.
  std::uint64_t settled(std::uint32_t slot) {
    std::this_thread::sleep_for(50ms);
    return packets.lookup(slot).value_or(0);
  }

  std::unique_ptr<netns::private_netns> netns_;
  bpfkit::object object;
  bpfkit::hash_map<std::uint32_t, std::uint64_t> packets;
};

std::uint32_t xdp_program_id(int ifindex, std::uint32_t mode) {
  __u32 id = 0;
  EXPECT_EQ(bpf_xdp_query_id(ifindex, mode, &id), 0);
  return id;
}

std::uint32_t program_id(const bpfkit::program& prog) {
  bpf_prog_info info{};
  __u32 size = sizeof info;
  EXPECT_EQ(bpf_obj_get_info_by_fd(prog.fd(), &info, &size), 0);
  return info.id;
}

TEST_F(netns_attach_test, XdpGenericCountsUntilDetached) {
  bpfkit::program prog = object.program_by_name("count_xdp");
  int ifindex = netns::link_index("veth1");
  bpfkit::link link = prog.attach_xdp(ifindex, XDP_FLAGS_SKB_MODE);
  EXPECT_EQ(xdp_program_id(ifindex, XDP_FLAGS_SKB_MODE), program_id(prog));

  send_frames("veth0", "veth1", 5);
  EXPECT_EQ(counted(xdp_slot, 5), 5u);

  link.detach();
  EXPECT_EQ(xdp_program_id(ifindex, XDP_FLAGS_SKB_MODE), 0u);
  send_frames("veth0", "veth1", 5);
  EXPECT_EQ(settled(xdp_slot), 5u);
}

TEST_F(netns_attach_test, XdpNativeOnVeth) {
  bpfkit::program prog = object.program_by_name("count_xdp");
  int ifindex = netns::link_index("veth1");
  {
    bpfkit::link link = prog.attach_xdp(ifindex);
    EXPECT_EQ(xdp_program_id(ifindex, XDP_FLAGS_DRV_MODE), program_id(prog));
    send_frames("veth0", "veth1", 3);
    EXPECT_EQ(counted(xdp_slot, 3), 3u);
  }
  EXPECT_EQ(xdp_program_id(ifindex, XDP_FLAGS_DRV_MODE), 0u);
}

TEST_F(netns_attach_test, XdpLinkPinsAndUnpins) {
  pin_dir dir;
  bpfkit::link link = object.program_by_name("count_xdp").attach_xdp(netns::link_index("veth1"));
  link.pin(dir.path("xdp"));
  EXPECT_TRUE(exists(dir.path("xdp")));
  link.unpin();
  EXPECT_FALSE(exists(dir.path("xdp")));
}

TEST_F(netns_attach_test, TcIngressCountsUntilDetached) {
  bpfkit::link link = object.program_by_name("count_tc").attach_tc(netns::link_index("veth1"));
  send_frames("veth0", "veth1", 4);
  EXPECT_EQ(counted(tc_slot, 4), 4u);
  EXPECT_THROW(link.pin("/sys/fs/bpf/never"), bpfkit::error);  // a netlink filter, not a link
  link.detach();
  send_frames("veth0", "veth1", 4);
  EXPECT_EQ(settled(tc_slot), 4u);
}

TEST_F(netns_attach_test, TcEgress) {
  {
    bpfkit::link link =
        object.program_by_name("count_tc").attach_tc(netns::link_index("veth0"), false);
    send_frames("veth0", "veth1", 2);
    EXPECT_EQ(counted(tc_slot, 2), 2u);
  }
  send_frames("veth0", "veth1", 2);
  EXPECT_EQ(settled(tc_slot), 2u);
}

TEST_F(netns_attach_test, TcxLinkCountsUntilDetached) {
  bpfkit::link link = object.program_by_name("count_tc").attach_tcx(netns::link_index("veth1"));
  EXPECT_GE(link.fd(), 0);  // a BPF link, which can be pinned
  send_frames("veth0", "veth1", 3);
  EXPECT_EQ(counted(tc_slot, 3), 3u);
  link.detach();
  send_frames("veth0", "veth1", 3);
  EXPECT_EQ(settled(tc_slot), 3u);
}

TEST_F(netns_attach_test, TcxEgressAndAMissingInterface) {
  {
    bpfkit::link link =
        object.program_by_name("count_tc").attach_tcx(netns::link_index("veth0"), false);
    send_frames("veth0", "veth1", 2);
    EXPECT_EQ(counted(tc_slot, 2), 2u);
  }
  try {
    object.program_by_name("count_tc").attach_tcx(999999);
    FAIL() << "no interface has index 999999";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("to tc ingress of ifindex 999999 (TCX link): "), std::string::npos)
        << e.what();
  }
}

TEST_F(netns_attach_test, XdpAndTcTogether) {
  int ifindex = netns::link_index("veth1");
  bpfkit::link xdp = object.program_by_name("count_xdp").attach_xdp(ifindex, XDP_FLAGS_SKB_MODE);
  bpfkit::link tc = object.program_by_name("count_tc").attach_tc(ifindex);
  send_frames("veth0", "veth1", 3);
  EXPECT_EQ(counted(xdp_slot, 3), 3u);
  EXPECT_EQ(counted(tc_slot, 3), 3u);
}

}  // namespace
}  // namespace runtime_test
