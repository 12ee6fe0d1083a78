// Test frames and sending them: see bpfkit/testing/netns.hpp.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpfkit/error.hpp"
#include "bpfkit/testing/netns.hpp"

namespace bpfkit::testing::netns {
namespace {

// RFC 1071 one's-complement sum, over the IPv4 header only.
std::uint16_t ipv4_checksum(const iphdr& header) {
  std::uint8_t bytes[sizeof header];
  std::memcpy(bytes, &header, sizeof header);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < sizeof bytes; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

template <class T>
void put(std::vector<std::uint8_t>& frame, const T& part) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&part);
  frame.insert(frame.end(), bytes, bytes + sizeof part);
}

}  // namespace

std::vector<std::uint8_t> udp_frame(std::span<const std::uint8_t> payload, const udp_endpoints& endpoints) {
  ethhdr ethernet{};
  std::memcpy(ethernet.h_dest, endpoints.destination_mac.data(), ETH_ALEN);
  std::memcpy(ethernet.h_source, endpoints.source_mac.data(), ETH_ALEN);
  ethernet.h_proto = htons(ETH_P_IP);

  udphdr udp{};
  udp.source = htons(endpoints.source_port);
  udp.dest = htons(endpoints.destination_port);
  udp.len = htons(static_cast<std::uint16_t>(sizeof udp + payload.size()));
  udp.check = 0;  // "no checksum": valid for UDP over IPv4

  iphdr ip{};
  ip.version = 4;
  ip.ihl = sizeof ip / 4;
  ip.tot_len = htons(static_cast<std::uint16_t>(sizeof ip + sizeof udp + payload.size()));
  ip.ttl = 64;
  ip.protocol = IPPROTO_UDP;
  ip.saddr = htonl(endpoints.source_ip);
  ip.daddr = htonl(endpoints.destination_ip);
  ip.check = ipv4_checksum(ip);

  std::vector<std::uint8_t> frame;
  put(frame, ethernet);
  put(frame, ip);
  put(frame, udp);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

frame_sender::frame_sender(const std::string& link) : link_(link) {
  // Protocol 0: the socket only sends, it receives nothing.
  socket_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (socket_ < 0) throw error(errno, "open an AF_PACKET socket on " + link_);
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = link_index(link_);
  if (::bind(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int err = errno;
    ::close(socket_);
    throw error(err, "bind an AF_PACKET socket to " + link_);
  }
}

frame_sender::~frame_sender() { ::close(socket_); }

void frame_sender::send(std::span<const std::uint8_t> frame) const {
  const ssize_t sent = ::send(socket_, frame.data(), frame.size(), 0);
  if (sent < 0) throw error(errno, "send a frame of " + std::to_string(frame.size()) + " bytes on " + link_);
  if (static_cast<std::size_t>(sent) != frame.size())
    throw error(EMSGSIZE, "send a frame on " + link_ + ": " + std::to_string(sent) + " of " +
                              std::to_string(frame.size()) + " bytes sent");
}

}  // namespace bpfkit::testing::netns
