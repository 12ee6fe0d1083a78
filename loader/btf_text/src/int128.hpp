// 128-bit integers: BTF ints go up to 16 bytes (__int128), so literals are
// read and range-checked at that width.
#pragma once

#include <string>

namespace bpfkit::btf_text_detail {

__extension__ typedef unsigned __int128 u128;

// A literal as written: sign and magnitude, so "-0" and 2^127 both fit.
struct integer_value {
  bool negative = false;
  u128 magnitude = 0;
};

inline std::string to_decimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

inline std::string to_decimal(const integer_value& v) {
  return (v.negative && v.magnitude != 0 ? "-" : "") + to_decimal(v.magnitude);
}

// Lower-case hex without prefix, at least `digits` digits.
inline std::string to_hex(u128 v, unsigned digits = 1) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  while (v != 0 || s.size() < digits) {
    s.insert(s.begin(), hex[static_cast<unsigned>(v & 0xf)]);
    v >>= 4;
  }
  return s;
}

// All ones in the low `bits` bits (bits in 1..128).
inline u128 low_mask(unsigned bits) { return bits >= 128 ? ~u128{0} : (u128{1} << bits) - 1; }

// Two's-complement bit pattern of v in `bits` bits (no range check).
inline u128 to_bits(const integer_value& v, unsigned bits) {
  u128 pattern = v.negative ? ~v.magnitude + 1 : v.magnitude;
  return pattern & low_mask(bits);
}

// The value of a `bits`-bit pattern read as signed (is_signed) or unsigned.
inline integer_value from_bits(u128 pattern, unsigned bits, bool is_signed) {
  pattern &= low_mask(bits);
  if (is_signed && bits > 0 && ((pattern >> (bits - 1)) & 1) != 0) {
    return {true, (~pattern + 1) & low_mask(bits)};
  }
  return {false, pattern};
}

// Whether v fits in `bits` bits as a signed / unsigned integer.
inline bool fits_signed(const integer_value& v, unsigned bits) {
  if (bits == 0 || bits > 128) return false;
  u128 half = u128{1} << (bits - 1);
  return v.negative ? v.magnitude <= half : v.magnitude < half;
}
inline bool fits_unsigned(const integer_value& v, unsigned bits) {
  if (bits == 0) return v.magnitude == 0;
  return v.negative ? v.magnitude == 0 : v.magnitude <= low_mask(bits);
}

}  // namespace bpfkit::btf_text_detail
