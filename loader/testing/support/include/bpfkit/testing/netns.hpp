// A throwaway network for tests: a private network namespace with veth
// pairs, for attaching XDP and tc programs without touching the host's
// interfaces. Part of bpfkit::testing (bpfkit::testing_support, which it
// re-exports, holds it without GoogleTest).
//
// Everything here acts on the calling thread's current network namespace, so
// once in a private one the host's links are out of reach, and the links
// vanish with the namespace. Failures throw bpfkit::error carrying the errno
// (EPERM without CAP_SYS_ADMIN / CAP_NET_ADMIN).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bpfkit::testing::netns {

using mac_address = std::array<std::uint8_t, 6>;

// Empty when this process can create a network namespace (CAP_SYS_ADMIN and
// CAP_NET_ADMIN); else why not. Probed once, in a thread of its own.
const std::string& unavailable_reason();

// Moves the calling thread, for good, into a new, empty network namespace
// (for a single-threaded process: the whole process).
void enter_private_netns();

// The calling thread in a new, empty network namespace for this object's
// lifetime, then back in the one it came from. The private namespace (its
// links, and what is attached to them) disappears when nothing uses it.
class private_netns {
 public:
  private_netns();
  ~private_netns();
  private_netns(const private_netns&) = delete;
  private_netns& operator=(const private_netns&) = delete;

 private:
  int original_;  // the namespace to return to
};

// Turns IPv6 off for links created from now on, so that new links send no
// router solicitations or duplicate-address probes of their own.
void disable_ipv6();

// Creates the veth pair `name` <-> `peer`: what is sent on one arrives on the other.
void create_veth(const std::string& name, const std::string& peer);

void set_link_up(const std::string& name);

// Interface index of `name`; throws when there is no such link.
int link_index(const std::string& name);

mac_address link_mac(const std::string& name);

// Addresses of a test frame: locally administered MACs, 10.0.0.1:40000 ->
// 10.0.0.2:9 (discard). IPv4 addresses and ports in host byte order.
struct udp_endpoints {
  mac_address source_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  mac_address destination_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  std::uint32_t source_ip = 0x0a000001;
  std::uint32_t destination_ip = 0x0a000002;
  std::uint16_t source_port = 40000;
  std::uint16_t destination_port = 9;
};

// An Ethernet/IPv4/UDP frame carrying `payload`, with a valid IPv4 header
// checksum (UDP checksum 0: none). Good for test runs and frame_sender.
std::vector<std::uint8_t> udp_frame(std::span<const std::uint8_t> payload = {},
                                    const udp_endpoints& endpoints = {});

// Sends whole Ethernet frames out of one link (an AF_PACKET socket bound to
// it that receives nothing), e.g. into one end of a veth pair so that they
// arrive on the other.
class frame_sender {
 public:
  explicit frame_sender(const std::string& link);
  ~frame_sender();
  frame_sender(const frame_sender&) = delete;
  frame_sender& operator=(const frame_sender&) = delete;

  // Throws bpfkit::error when the frame cannot be sent whole.
  void send(std::span<const std::uint8_t> frame) const;

 private:
  std::string link_;
  int socket_;
};

}  // namespace bpfkit::testing::netns
