// A throwaway network for XDP and tc tests: a private network namespace with
// one veth pair, so tests never touch the host's interfaces.
#pragma once

#include <chrono>
#include <memory>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "bpfkit/testing/netns.hpp"

namespace bpfkit::testing {

// Test frames: see bpfkit/testing/netns.hpp.
using netns::udp_endpoints;
using netns::udp_frame;

// While it lives, the calling thread is in a private network namespace (made
// with bpfkit::testing::netns::private_netns) holding the veth pair sender <-> receiver
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
  std::unique_ptr<netns::frame_sender> sender_socket_;  // made once the links exist
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
