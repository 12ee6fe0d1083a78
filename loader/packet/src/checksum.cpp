#include "packet_internal.hpp"

namespace bpfkit::packet_detail {

void internet_checksum::add(std::span<const std::uint8_t> bytes) {
  // Bytes at even offsets of the whole checksummed stream are the high half
  // of a 16-bit word. Tracking the parity across calls lets callers feed
  // odd-length pieces without padding them.
  for (std::uint8_t byte : bytes) {
    sum_ += odd_ ? byte : static_cast<std::uint64_t>(byte) << 8;
    odd_ = !odd_;
  }
}

void internet_checksum::add16(std::uint16_t value) {
  const std::uint8_t word[] = {static_cast<std::uint8_t>(value >> 8),
                               static_cast<std::uint8_t>(value)};
  add(word);
}

void internet_checksum::add32(std::uint32_t value) {
  add16(static_cast<std::uint16_t>(value >> 16));
  add16(static_cast<std::uint16_t>(value));
}

std::uint16_t internet_checksum::finish() const {
  // A trailing odd byte is already counted as the high half of a word whose
  // low half is zero, which is the RFC 1071 padding rule.
  std::uint64_t sum = sum_;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace bpfkit::packet_detail
