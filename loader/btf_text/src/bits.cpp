#include "bits.hpp"

#include "bpfkit/btf_text.hpp"

namespace bpfkit::btf_text_detail {
namespace {

void check(std::size_t size, std::uint64_t bit_offset, unsigned bits) {
  if (bits > 128 || bit_offset + bits > std::uint64_t{size} * 8) {
    throw btf_text_error("BTF places a value at bits " + std::to_string(bit_offset) + ".." +
                         std::to_string(bit_offset + bits) + " of a " + std::to_string(size) +
                         "-byte type; the BTF is inconsistent");
  }
}

unsigned shift_of(std::uint64_t position, bool big_endian) {
  return big_endian ? 7 - static_cast<unsigned>(position % 8) : static_cast<unsigned>(position % 8);
}

}  // namespace

bool bit_at(std::span<const std::uint8_t> buffer, std::uint64_t position, bool big_endian) {
  return ((buffer[position / 8] >> shift_of(position, big_endian)) & 1) != 0;
}

void put_bits(std::span<std::uint8_t> buffer, std::uint64_t bit_offset, unsigned bits, u128 value,
              bool big_endian) {
  check(buffer.size(), bit_offset, bits);
  if (bit_offset % 8 == 0 && bits % 8 == 0) {  // the common case: whole bytes
    std::size_t first = bit_offset / 8, n = bits / 8;
    for (std::size_t i = 0; i < n; ++i) {
      buffer[first + (big_endian ? n - 1 - i : i)] = static_cast<std::uint8_t>(value >> (8 * i));
    }
    return;
  }
  for (unsigned j = 0; j < bits; ++j) {
    // Value bit j (0 = least significant) sits at this position.
    std::uint64_t position = big_endian ? bit_offset + bits - 1 - j : bit_offset + j;
    auto mask = static_cast<std::uint8_t>(1u << shift_of(position, big_endian));
    if (((value >> j) & 1) != 0) {
      buffer[position / 8] |= mask;
    } else {
      buffer[position / 8] &= static_cast<std::uint8_t>(~mask);
    }
  }
}

u128 get_bits(std::span<const std::uint8_t> buffer, std::uint64_t bit_offset, unsigned bits, bool big_endian) {
  check(buffer.size(), bit_offset, bits);
  u128 value = 0;
  if (bit_offset % 8 == 0 && bits % 8 == 0) {
    std::size_t first = bit_offset / 8, n = bits / 8;
    for (std::size_t i = 0; i < n; ++i) {
      value |= u128{buffer[first + (big_endian ? n - 1 - i : i)]} << (8 * i);
    }
    return value;
  }
  for (unsigned j = 0; j < bits; ++j) {
    std::uint64_t position = big_endian ? bit_offset + bits - 1 - j : bit_offset + j;
    if (bit_at(buffer, position, big_endian)) value |= u128{1} << j;
  }
  return value;
}

}  // namespace bpfkit::btf_text_detail
