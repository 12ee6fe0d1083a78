// Test traffic: well-formed Ethernet/IPv4/UDP frames sent on one link.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <bpfkit/netns.hpp>

#include "unique_fd.hpp"

namespace packet {

// A UDP datagram 10.0.0.1:40000 -> 10.0.0.2:9 (discard) from `source` to
// `destination`, with a valid IPv4 header checksum.
std::vector<std::uint8_t> udp_frame(const bpfkit::netns::mac_address &source,
                                    const bpfkit::netns::mac_address &destination,
                                    std::span<const std::uint8_t> payload);

// An AF_PACKET socket bound to one link: frames go out exactly as given,
// past the IP stack (the link has no addresses, and needs none).
class raw_socket {
 public:
  explicit raw_socket(int ifindex);
  // Throws std::system_error when the frame cannot be sent whole.
  void send(std::span<const std::uint8_t> frame);

 private:
  unique_fd fd_;
};

}  // namespace packet
