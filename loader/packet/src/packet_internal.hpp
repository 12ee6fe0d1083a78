// Internals of the packet spec library, shared by its three parts:
// spec_parser.cpp (text -> layers, where every syntax and value error is
// caught, because only the parser knows the columns), encode.cpp (layers ->
// bytes) and checksum.cpp.
#pragma once

#include <bpfkit/packet.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::packet_detail {

enum class layer_kind { eth, vlan, ipv4, ipv6, udp, tcp, icmp, icmp6, payload };

// One `name=value` of a layer, already converted and range-checked.
struct field {
  std::string_view name;            // canonical name from the field table
  std::size_t pos = 0;              // offset of the name in the spec
  std::uint64_t number = 0;         // numbers and TCP flags
  std::vector<std::uint8_t> bytes;  // MAC/IP addresses, hex and text
};

struct layer {
  layer_kind kind;
  std::string_view name;  // canonical ("icmp6" also for "icmpv6")
  std::size_t pos = 0;    // offset of the layer name in the spec
  std::vector<field> fields;

  const field* find(std::string_view field_name) const;
  std::uint64_t number(std::string_view field_name, std::uint64_t fallback) const;
  std::vector<std::uint8_t> bytes(std::string_view field_name,
                                  std::vector<std::uint8_t> fallback) const;
};

// "at column N" for a spec offset; every message uses it so they agree.
std::string at_column(std::size_t pos);

// Throws packet_spec_error("packet spec: " + message, pos).
[[noreturn]] void fail(std::size_t pos, const std::string& message);

// spec_parser.cpp: syntax, names, values and layer order. The result is
// always encodable except for lengths that overflow their fields.
std::vector<layer> parse_spec(std::string_view spec);

// encode.cpp. A packet is at most max_packet_size bytes (the kernel's test
// runs take far less; the bound keeps a spec from asking for gigabytes).
inline constexpr std::size_t max_packet_size = std::size_t{16} << 20;
std::vector<std::uint8_t> encode_layers(const std::vector<layer>& layers);

// checksum.cpp: the RFC 1071 Internet checksum, fed in pieces (the
// pseudo-header, then the header, then the payload).
class internet_checksum {
public:
  void add(std::span<const std::uint8_t> bytes);
  void add16(std::uint16_t value);
  void add32(std::uint32_t value);
  // The one's complement of the folded sum: the value to store in the packet.
  std::uint16_t finish() const;

private:
  std::uint64_t sum_ = 0;
  bool odd_ = false;  // the last add() ended in the middle of a 16-bit word
};

}  // namespace bpfkit::packet_detail
