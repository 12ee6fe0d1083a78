// A throwaway network: a private network namespace with veth pairs, for
// attaching XDP and tc programs without touching the host's interfaces.
//
// Everything here acts on the calling thread's current network namespace, so
// once in a private one the host's links are out of reach, and the links
// vanish with the namespace. Failures throw bpfkit::error carrying the errno
// (EPERM without CAP_SYS_ADMIN / CAP_NET_ADMIN).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace bpfkit::netns {

using mac_address = std::array<std::uint8_t, 6>;

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

}  // namespace bpfkit::netns
