// Layers -> bytes. Layers are encoded innermost first: each header's
// computed length and checksum fields cover the bytes after it, which are
// then already final.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>

#include "packet_internal.hpp"

namespace bpfkit::packet_detail {
namespace {

using bytes = std::vector<std::uint8_t>;

// Defaults of fields that are not plain numbers (see bpfkit/packet.hpp).
const bytes default_eth_src = {0x02, 0, 0, 0, 0, 0x01};
const bytes default_eth_dst = {0x02, 0, 0, 0, 0, 0x02};
const bytes default_ipv4_src = {10, 0, 0, 1};
const bytes default_ipv4_dst = {10, 0, 0, 2};
const bytes default_ipv6_src = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const bytes default_ipv6_dst = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};

// Used when the next layer is a payload or nothing: values reserved for
// experiments, so a test packet never looks like a real protocol by accident.
constexpr std::uint16_t ethertype_experimental = 0x88b5;  // IEEE 802 local experimental
constexpr std::uint8_t ipproto_experimental = 253;        // RFC 3692

constexpr std::uint16_t tpid_8021q = 0x8100;
constexpr std::uint16_t tpid_8021ad = 0x88a8;

void put8(bytes& out, std::uint64_t v) { out.push_back(static_cast<std::uint8_t>(v)); }
void put16(bytes& out, std::uint64_t v) {
  put8(out, v >> 8);
  put8(out, v);
}
void put32(bytes& out, std::uint64_t v) {
  put16(out, v >> 16);
  put16(out, v);
}
void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// The layers around the one being encoded.
struct context {
  const std::vector<layer>& layers;
  std::size_t index;

  const layer& self() const { return layers[index]; }
  const layer* previous() const { return index > 0 ? &layers[index - 1] : nullptr; }
  const layer* next(std::size_t distance = 1) const {
    return index + distance < layers.size() ? &layers[index + distance] : nullptr;
  }
};

// The type field of eth or vlan: what follows it.
std::uint16_t ethertype_for(const context& ctx) {
  const layer* next = ctx.next();
  if (!next)
    return ethertype_experimental;
  switch (next->kind) {
  case layer_kind::vlan: {
    // The outermost of two or more stacked tags is an 802.1ad service tag.
    const layer* after = ctx.next(2);
    const bool outer_of_stack =
        ctx.self().kind == layer_kind::eth && after && after->kind == layer_kind::vlan;
    return outer_of_stack ? tpid_8021ad : tpid_8021q;
  }
  case layer_kind::ipv4: return 0x0800;
  case layer_kind::ipv6: return 0x86dd;
  default: return ethertype_experimental;
  }
}

// The protocol number a layer has in an IP header (proto, nh, pseudo-header).
std::uint8_t ip_protocol_of(const layer* l) {
  if (!l)
    return ipproto_experimental;
  switch (l->kind) {
  case layer_kind::ipv4: return 4;
  case layer_kind::ipv6: return 41;
  case layer_kind::tcp: return 6;
  case layer_kind::udp: return 17;
  case layer_kind::icmp: return 1;
  case layer_kind::icmp6: return 58;
  default: return ipproto_experimental;
  }
}

// A computed length that does not fit its 16-bit field is an error; given
// lengths were range-checked by the parser.
std::uint64_t length_field(const layer& l, std::string_view name, std::size_t computed) {
  if (const field* f = l.find(name))
    return f->number;
  if (computed > 0xffff)
    fail(l.pos, std::string(l.name) + " " + at_column(l.pos) + ": the computed " +
                    std::string(name) + " " + std::to_string(computed) +
                    " does not fit in 16 bits; make the payload shorter or give " +
                    std::string(name) + "= explicitly");
  return computed;
}

// Starts the checksum of an L4 layer with the pseudo-header of the IP layer
// right before it (the parser guarantees there is one for udp/tcp/icmp6).
internet_checksum pseudo_header(const context& ctx, std::size_t l4_length) {
  internet_checksum sum;
  const layer& ip = *ctx.previous();
  const std::uint8_t proto = ip_protocol_of(&ctx.self());
  if (ip.kind == layer_kind::ipv4) {
    sum.add(ip.bytes("src", default_ipv4_src));
    sum.add(ip.bytes("dst", default_ipv4_dst));
    sum.add16(proto);
    sum.add16(static_cast<std::uint16_t>(l4_length));
  } else {
    sum.add(ip.bytes("src", default_ipv6_src));
    sum.add(ip.bytes("dst", default_ipv6_dst));
    sum.add32(static_cast<std::uint32_t>(l4_length));
    sum.add32(proto);
  }
  return sum;
}

// Writes the checksum at `offset` of `header` unless one was given.
void finish_checksum(const layer& l, bytes& header, std::size_t offset, internet_checksum sum,
                     std::span<const std::uint8_t> rest, bool zero_means_none = false) {
  std::uint64_t value;
  if (const field* f = l.find("csum")) {
    value = f->number;
  } else {
    sum.add(header);  // its checksum field is still zero
    sum.add(rest);
    value = sum.finish();
    // In UDP a zero checksum means "none"; a computed zero is sent as its
    // one's complement equivalent (RFC 768).
    if (zero_means_none && value == 0)
      value = 0xffff;
  }
  header[offset] = static_cast<std::uint8_t>(value >> 8);
  header[offset + 1] = static_cast<std::uint8_t>(value);
}

bytes encode_payload(const layer& l) {
  bytes content;
  for (const char* name : {"hex", "text", "fill"})
    if (const field* f = l.find(name))
      content = f->name == "fill" ? bytes{static_cast<std::uint8_t>(f->number)} : f->bytes;
  const field* len = l.find("len");
  if (!len)
    return content;
  // len repeats (or cuts) the content; no content means zeros.
  bytes out(len->number, 0);
  if (!content.empty())
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = content[i % content.size()];
  return out;
}

bytes encode(const context& ctx, std::span<const std::uint8_t> rest) {
  const layer& l = ctx.self();
  bytes h;
  switch (l.kind) {
  case layer_kind::eth:
    append(h, l.bytes("dst", default_eth_dst));
    append(h, l.bytes("src", default_eth_src));
    put16(h, l.number("type", ethertype_for(ctx)));
    break;

  case layer_kind::vlan:
    put16(h, l.number("pcp", 0) << 13 | l.number("dei", 0) << 12 | l.number("id", 0));
    put16(h, l.number("type", ethertype_for(ctx)));
    break;

  case layer_kind::ipv4:
    put8(h, 0x45);  // version 4, 5-word header (no options)
    put8(h, l.number("tos", 0));
    put16(h, length_field(l, "len", 20 + rest.size()));
    put16(h, l.number("id", 0));
    put16(h, l.number("df", 1) << 14 | l.number("mf", 0) << 13 | l.number("frag", 0));
    put8(h, l.number("ttl", 64));
    put8(h, l.number("proto", ip_protocol_of(ctx.next())));
    put16(h, 0);  // checksum, below
    append(h, l.bytes("src", default_ipv4_src));
    append(h, l.bytes("dst", default_ipv4_dst));
    finish_checksum(l, h, 10, {}, {});  // the IPv4 checksum covers the header only
    break;

  case layer_kind::ipv6:
    put32(h, std::uint64_t{6} << 28 | l.number("tc", 0) << 20 | l.number("flow", 0));
    put16(h, length_field(l, "plen", rest.size()));
    put8(h, l.number("nh", ip_protocol_of(ctx.next())));
    put8(h, l.number("hlim", 64));
    append(h, l.bytes("src", default_ipv6_src));
    append(h, l.bytes("dst", default_ipv6_dst));
    break;

  case layer_kind::udp:
    put16(h, l.number("sport", 1000));
    put16(h, l.number("dport", 53));
    put16(h, length_field(l, "len", 8 + rest.size()));
    put16(h, 0);
    finish_checksum(l, h, 6, pseudo_header(ctx, 8 + rest.size()), rest, true);
    break;

  case layer_kind::tcp:
    put16(h, l.number("sport", 1000));
    put16(h, l.number("dport", 80));
    put32(h, l.number("seq", 0));
    put32(h, l.number("ack", 0));
    put8(h, 5 << 4);  // 5-word header (no options)
    put8(h, l.number("flags", 0x02 /* SYN */));
    put16(h, l.number("win", 65535));
    put16(h, 0);  // checksum, below
    put16(h, 0);  // urgent pointer
    finish_checksum(l, h, 16, pseudo_header(ctx, 20 + rest.size()), rest);
    break;

  case layer_kind::icmp:
  case layer_kind::icmp6: {
    const bool v6 = l.kind == layer_kind::icmp6;
    put8(h, l.number("type", v6 ? 128 : 8));  // echo request
    put8(h, l.number("code", 0));
    put16(h, 0);  // checksum, below
    put16(h, l.number("id", 0));
    put16(h, l.number("seq", 0));
    // ICMPv6 covers the pseudo-header (RFC 4443), ICMPv4 only itself.
    finish_checksum(l, h, 2, v6 ? pseudo_header(ctx, 8 + rest.size()) : internet_checksum{}, rest);
    break;
  }

  case layer_kind::payload: h = encode_payload(l); break;
  }
  return h;
}

}  // namespace

// The packet built so far, growing at the front: each header goes before
// the bytes it covers. The free room in front at least doubles whenever it
// runs out, so n layers cost time in proportion to the packet's size, not n
// times it (2,000 payload(len=1000) layers took over 30 s by prepending to a
// vector).
class front_buffer {
 public:
  std::span<const std::uint8_t> bytes() const { return {buffer_.data() + start_, buffer_.size() - start_}; }

  void prepend(const packet_detail::bytes& header) {
    if (header.size() > start_) grow(header.size());
    start_ -= header.size();
    std::copy(header.begin(), header.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
  }

  packet_detail::bytes take() const { return {buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.end()}; }

 private:
  void grow(std::size_t needed) {
    const std::size_t used = buffer_.size() - start_;
    const std::size_t room = std::max({needed, used, std::size_t{256}});
    packet_detail::bytes bigger(room + used);
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.end(),
              bigger.begin() + static_cast<std::ptrdiff_t>(room));
    buffer_.swap(bigger);
    start_ = room;
  }

  packet_detail::bytes buffer_;
  std::size_t start_ = 0;  // where the packet starts in buffer_
};

std::vector<std::uint8_t> encode_layers(const std::vector<layer>& layers) {
  front_buffer packet;
  for (std::size_t i = layers.size(); i-- > 0;) {
    const bytes h = encode(context{layers, i}, packet.bytes());
    if (h.size() > max_packet_size - packet.bytes().size())
      fail(layers[i].pos, "the packet would be larger than " + std::to_string(max_packet_size) +
                              " bytes (16 MiB) from the " + std::string(layers[i].name) + " layer " +
                              at_column(layers[i].pos) + " on; no BPF test run takes that much");
    packet.prepend(h);
  }
  return packet.take();
}

}  // namespace bpfkit::packet_detail

namespace bpfkit {

std::vector<std::uint8_t> build_packet(std::string_view spec) {
  return packet_detail::encode_layers(packet_detail::parse_spec(spec));
}

}  // namespace bpfkit
