// A throwaway network for XDP and tc tests: a private network namespace with
// one veth pair, so tests never touch the host's interfaces.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "bpfkit/netns.hpp"

namespace bpfkit::testing {

// Addresses of a test frame: locally administered MACs, 10.0.0.1:40000 ->
// 10.0.0.2:9 (discard). IPv4 addresses and ports in host byte order.
struct udp_endpoints {
  netns::mac_address source_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  netns::mac_address destination_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  std::uint32_t source_ip = 0x0a000001;
  std::uint32_t destination_ip = 0x0a000002;
  std::uint16_t source_port = 40000;
  std::uint16_t destination_port = 9;
};

// An Ethernet/IPv4/UDP frame carrying `payload`, with a valid IPv4 header
// checksum (UDP checksum 0: none). Good for test_run() and veth_pair::send().
std::vector<std::uint8_t> udp_frame(std::span<const std::uint8_t> payload = {},
                                    const udp_endpoints& endpoints = {});

// While it lives, the calling thread is in a private network namespace (made
// with bpfkit::netns::private_netns) holding the veth pair sender <-> receiver
// (default veth0 <-> veth1), both up, IPv6 off (no router solicitations or
// duplicate-address probes: the receiver sees only what send() sends). On
// destruction the thread returns to its namespace and the pair vanishes with
// the private one.
//
// Create it before attaching (links made afterwards are destroyed first: a tc
// filter is detached through netlink in the private namespace). Throws
// bpfkit::error (EPERM without CAP_SYS_ADMIN/CAP_NET_ADMIN); use it in a
// bpf_test, or after BPFKIT_REQUIRE_NETNS(), to skip where it cannot work.
class veth_pair {
 public:
  veth_pair();
  veth_pair(std::string sender, std::string receiver);
  ~veth_pair();
  veth_pair(const veth_pair&) = delete;
  veth_pair& operator=(const veth_pair&) = delete;

  const std::string& sender() const noexcept { return sender_; }
  const std::string& receiver() const noexcept { return receiver_; }
  int sender_ifindex() const noexcept { return sender_ifindex_; }
  int receiver_ifindex() const noexcept { return receiver_ifindex_; }
  netns::mac_address sender_mac() const;
  netns::mac_address receiver_mac() const;

  // Sends `frame` out of the sender exactly as given (AF_PACKET, past the IP
  // stack); it arrives on the receiver, through its XDP and tc ingress hooks.
  // Throws bpfkit::error when the frame cannot be sent whole.
  void send(std::span<const std::uint8_t> frame) const;
  // udp_frame(payload) from the sender's MAC to the receiver's.
  std::vector<std::uint8_t> udp_frame(std::span<const std::uint8_t> payload = {}) const;

 private:
  netns::private_netns netns_;  // first: entered before, left after everything else
  std::string sender_;
  std::string receiver_;
  int sender_ifindex_ = 0;
  int receiver_ifindex_ = 0;
  int socket_ = -1;
};

// Polls `condition` every millisecond or so until it holds or `timeout`
// passes; returns its last result. Received packets reach XDP and tc
// asynchronously, so counts are awaited, not read at once:
//   EXPECT_TRUE(eventually([&] { return skel().maps.C.lookup(0) == 10u; }));
template <class Condition>
bool eventually(Condition&& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace bpfkit::testing
