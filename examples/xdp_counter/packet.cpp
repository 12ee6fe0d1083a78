#include "packet.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace packet {
namespace {

// RFC 1071 one's-complement sum, over the IPv4 header only.
std::uint16_t ipv4_checksum(const iphdr &header) {
  std::uint8_t bytes[sizeof header];
  std::memcpy(bytes, &header, sizeof header);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < sizeof bytes; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

template <class T>
void put(std::vector<std::uint8_t> &frame, const T &part) {
  const auto *bytes = reinterpret_cast<const std::uint8_t *>(&part);
  frame.insert(frame.end(), bytes, bytes + sizeof part);
}

}  // namespace

std::vector<std::uint8_t> udp_frame(const bpfkit::netns::mac_address &source,
                                    const bpfkit::netns::mac_address &destination,
                                    std::span<const std::uint8_t> payload) {
  ethhdr ethernet{};
  std::memcpy(ethernet.h_dest, destination.data(), ETH_ALEN);
  std::memcpy(ethernet.h_source, source.data(), ETH_ALEN);
  ethernet.h_proto = htons(ETH_P_IP);

  udphdr udp{};
  udp.source = htons(40000);
  udp.dest = htons(9);
  udp.len = htons(static_cast<std::uint16_t>(sizeof udp + payload.size()));
  udp.check = 0;  // "no checksum": valid for UDP over IPv4

  iphdr ip{};
  ip.version = 4;
  ip.ihl = sizeof ip / 4;
  ip.tot_len = htons(static_cast<std::uint16_t>(sizeof ip + sizeof udp + payload.size()));
  ip.ttl = 64;
  ip.protocol = IPPROTO_UDP;
  ip.saddr = htonl(0x0a000001);  // 10.0.0.1
  ip.daddr = htonl(0x0a000002);  // 10.0.0.2
  ip.check = ipv4_checksum(ip);

  std::vector<std::uint8_t> frame;
  put(frame, ethernet);
  put(frame, ip);
  put(frame, udp);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

raw_socket::raw_socket(int ifindex) : fd_(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) {
  if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "AF_PACKET socket");
  // Protocol 0: the socket only sends on this link and receives nothing.
  sockaddr_ll link{};
  link.sll_family = AF_PACKET;
  link.sll_ifindex = ifindex;
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr *>(&link), sizeof link) != 0)
    throw std::system_error(errno, std::generic_category(), "bind the AF_PACKET socket");
}

void raw_socket::send(std::span<const std::uint8_t> frame) {
  ssize_t sent = ::send(fd_.get(), frame.data(), frame.size(), 0);
  if (sent < 0) throw std::system_error(errno, std::generic_category(), "send a frame");
  if (static_cast<std::size_t>(sent) != frame.size())
    throw std::system_error(EMSGSIZE, std::generic_category(), "send a frame (truncated)");
}

}  // namespace packet
