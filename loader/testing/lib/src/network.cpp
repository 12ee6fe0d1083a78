#include "bpfkit/testing/network.hpp"

#include <memory>

namespace bpfkit::testing {

veth_pair::veth_pair() : veth_pair("veth0", "veth1") {}

veth_pair::veth_pair(std::string sender, std::string receiver)
    : sender_(std::move(sender)), receiver_(std::move(receiver)) {
  // netns_ (constructed first) made this thread's namespace private and empty.
  netns::disable_ipv6();
  netns::create_veth(sender_, receiver_);
  netns::set_link_up(receiver_);
  netns::set_link_up(sender_);
  sender_ifindex_ = netns::link_index(sender_);
  receiver_ifindex_ = netns::link_index(receiver_);
  sender_socket_ = std::make_unique<netns::frame_sender>(sender_);
}

// Members go in reverse: the socket, then netns_ (the thread returns to its
// namespace and the pair vanishes with the private one).
veth_pair::~veth_pair() = default;

netns::mac_address veth_pair::sender_mac() const { return netns::link_mac(sender_); }
netns::mac_address veth_pair::receiver_mac() const { return netns::link_mac(receiver_); }

void veth_pair::send(std::span<const std::uint8_t> frame) const { sender_socket_->send(frame); }

std::vector<std::uint8_t> veth_pair::udp_frame(std::span<const std::uint8_t> payload) const {
  udp_endpoints endpoints;
  endpoints.source_mac = sender_mac();
  endpoints.destination_mac = receiver_mac();
  return netns::udp_frame(payload, endpoints);
}

}  // namespace bpfkit::testing
