// bpfkit packet specs: a one-line description of a test packet, turned into
// its bytes. Used by `bpfkit run --packet` and `bpf_add_test(... PACKET)`.
//
//   eth/ipv4/udp                                   a valid 42-byte UDP packet
//   eth/vlan(id=100)/ipv6/tcp(dport=443, flags=SYN|ACK)/payload(text="hi")
//   eth/ipv4(ttl=1, csum=0x1234)/udp/payload(len=64)  deliberately broken
//
// Grammar: layers separated by '/'; each is `name` or `name(field=value, ...)`.
// Whitespace is allowed around every token. Numbers are decimal or 0x hex and
// are range-checked against the field's width.
//
//   layer     fields (default)
//   eth       src (02:00:00:00:00:01), dst (02:00:00:00:00:02), type (inferred)
//   vlan      id (0), pcp (0), dei (0), type (inferred)
//   ipv4      src (10.0.0.1), dst (10.0.0.2), ttl (64), tos (0), id (0),
//             df (1), mf (0), frag (0, in 8-byte units), proto (inferred),
//             len (computed), csum (computed)
//   ipv6      src (fd00::1), dst (fd00::2), hlim (64), tc (0), flow (0),
//             nh (inferred), plen (computed)
//   udp       sport (1000), dport (53), len (computed), csum (computed)
//   tcp       sport (1000), dport (80), seq (0), ack (0), flags (SYN),
//             win (65535), csum (computed)
//   icmp      type (8), code (0), id (0), seq (0), csum (computed)   ICMPv4
//   icmp6     same fields, type defaults to 128; `icmpv6` is an alias
//   payload   hex (bytes), text (a "quoted" or bare string), fill (one byte),
//             len (bytes). At most one of hex/text/fill; with len the content
//             is repeated (or cut) to len bytes. `payload(len=32)` is 32 zero
//             bytes; `payload` alone is empty. Several payloads concatenate.
//
// Inference: a type/proto/nh field left out names the next layer: ipv4 0x0800,
// ipv6 0x86dd, udp 17, tcp 6, icmp 1, icmp6 58, ipv4-in-ip 4, ipv6-in-ip 41.
// VLAN tags: a tag right after eth that is followed by another tag is the
// 802.1ad service tag (TPID 0x88a8); every other tag is 802.1Q (0x8100), so
// `eth/vlan/vlan` is standard QinQ. When a layer is followed by a payload or
// by nothing, the experimental values are used: ethertype 0x88b5 (IEEE local
// experimental), IP protocol 253 (RFC 3692).
//
// Lengths and checksums are computed unless given. Given values are written
// as-is and nothing else is adjusted, so broken packets can be built on
// purpose. Checksums are computed over the bytes actually emitted; the L4
// pseudo-header takes the nearest enclosing IP header's addresses, the L4
// layer's own protocol number and the emitted L4 length. A computed UDP
// checksum of 0 is sent as 0xffff.
//
// Layer order: eth only first; vlan after eth or vlan; ipv4/ipv6 first or
// after eth, vlan, ipv4, ipv6; udp/tcp after ipv4 or ipv6; icmp after ipv4;
// icmp6 after ipv6; payload anywhere; only payload after udp/tcp/icmp/payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit {

// A spec that cannot be built. what() is one line naming the layer, the
// offending token, its column and the valid choices, e.g.
//   packet spec: unknown field 'prt' in udp(...) at column 14; udp fields:
//   sport, dport, len, csum
class packet_spec_error : public std::invalid_argument {
public:
  packet_spec_error(const std::string& message, std::size_t position)
      : std::invalid_argument(message), position_(position) {}

  // Byte offset into the spec of the offending token (0-based; the message
  // reports it as column position() + 1).
  std::size_t position() const noexcept { return position_; }

private:
  std::size_t position_;
};

// Builds the packet described by `spec`. Throws packet_spec_error.
std::vector<std::uint8_t> build_packet(std::string_view spec);

}  // namespace bpfkit
