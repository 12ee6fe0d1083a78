// A throwaway network: a private network namespace with a veth pair.
//
// Everything here acts on the calling process's own namespace once
// enter_private_netns() ran, so the host's interfaces are never touched and
// the links vanish with the process, however it ends. Failures throw
// std::system_error carrying the errno (EPERM when privileges are missing).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace netns {

using mac_address = std::array<std::uint8_t, 6>;

// Moves this (single-threaded) process into a new, empty network namespace.
void enter_private_netns();

// Turns IPv6 off for links created from now on, so that new links send no
// router solicitations or duplicate-address probes of their own.
void disable_ipv6();

// Creates the veth pair `name` <-> `peer`: what is sent on one arrives on the other.
void create_veth(const std::string &name, const std::string &peer);

void set_link_up(const std::string &name);

// Interface index of `name`; throws when there is no such link.
int link_index(const std::string &name);

mac_address link_mac(const std::string &name);

}  // namespace netns
