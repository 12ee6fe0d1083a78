// Reading and writing a value at a bit position, in the BTF's byte order.
// Positions count the way compilers lay out bitfields: on little-endian
// targets bit p is bit p%8 (from the least significant) of byte p/8 and a
// value's least significant bit comes first; on big-endian targets bit p is
// bit 7-p%8 of byte p/8 and a value's most significant bit comes first.
// Byte-aligned whole-byte values are plain little/big-endian integers.
#pragma once

#include <cstdint>
#include <span>

#include "int128.hpp"

namespace bpfkit::btf_text_detail {

// Throw btf_text_error when [bit_offset, bit_offset + bits) is outside the
// buffer (BTF whose offsets exceed its sizes).
void put_bits(std::span<std::uint8_t> buffer, std::uint64_t bit_offset, unsigned bits, u128 value,
              bool big_endian);
u128 get_bits(std::span<const std::uint8_t> buffer, std::uint64_t bit_offset, unsigned bits, bool big_endian);

// Whether bit position p of the buffer is set (same numbering as above).
bool bit_at(std::span<const std::uint8_t> buffer, std::uint64_t position, bool big_endian);

}  // namespace bpfkit::btf_text_detail
