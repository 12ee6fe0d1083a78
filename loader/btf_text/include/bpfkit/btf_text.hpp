// Values of BTF-described types as text, and back.
//
// One syntax serves everything a user types or reads about map contents and
// globals: `bpf_add_test(SET_MAP/EXPECT_MAP/SET_GLOBAL)`, `bpfkit map
// dump|lookup|update` and failure messages. The BTF of the object decides the
// layout; the text only names fields and gives values.
//
// Text syntax (what parse_value accepts and format_value writes):
//   integers   42, -7, 0x2a, 0b101          decimal, hex or binary; range-checked
//                                           against the type (a leading 0 such as
//                                           010 is rejected: C would read octal)
//   chars      'a', '\n', '\x7f', or a number
//   bool       true, false, or a number
//   enums      an enumerator name (IPPROTO_UDP) or a number
//   floats     1.5, -2e10, 3, inf, -inf, nan
//   pointers   integers (written 0x... by format_value)
//   structs    {field=value, ...}           by BTF field name, any order; missing
//   unions                                  fields are zero; members of anonymous
//                                           structs/unions are named directly, as in
//                                           C; a union takes one member
//   arrays     [v1, v2, ...]                fewer elements are zero-filled;
//                                           arrays of 1-byte integers also take
//                                           "a string" (\" \\ \n \t \r \0 \xHH escapes)
//   Whitespace is free; a trailing comma is allowed; `.field=` is accepted too.
//   Any integer-typed value also accepts an enumerator name from the BTF
//   (e.g. proto=IPPROTO_UDP where proto is a __u8).
//   __be16/__be32/__be64 values are the number in network byte order, on any
//   target: saddr=0x0a000001 is 10.0.0.1, stored as the bytes 0a 00 00 01.
//
// format_value's text renders integers in decimal, except pointers (0x...)
// and __be16/__be32/__be64 values (zero-padded hex, where decimal says
// nothing: saddr=0x0a000001); enums by name when the value
// matches an enumerator; `char` as 'c' when printable; char arrays as "strings"
// when printable and NUL-terminated with zeros after the NUL; a union as its
// first member that reproduces all of the union's bytes. parse(format(x)) == x
// for every x whose padding bytes are zero.
//
// JSON style: objects, arrays, true/false; integers as numbers while their
// magnitude is at most 2^53 - 1 (exact in every JSON reader), else as decimal
// strings ("18446744073709551615"); pointers as "0x..." strings; enums as
// their name when matched (else the number); char arrays as strings under the
// same rule as text; non-finite floats as "inf", "-inf", "nan".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct btf;  // libbpf

namespace bpfkit {

// A value that does not fit the type, bad syntax, or a type that cannot be a
// value. what() is "column N: <reason>" (or "line L, column N: <reason>" for
// multi-line text) when the problem is at a place in the text, else the reason.
class btf_text_error : public std::invalid_argument {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  explicit btf_text_error(const std::string& reason);
  // `offset` is the 0-based byte offset into `text` where the problem is.
  btf_text_error(const std::string& reason, std::size_t offset, std::string_view text);

  // The message without the position, for callers that show it their own way.
  const std::string& reason() const noexcept { return reason_; }
  // 0-based byte offset into the parsed text; npos when there is none.
  std::size_t offset() const noexcept { return offset_; }
  // 1-based line and column of offset(); 0 when there is no position.
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::string reason_;
  std::size_t offset_ = npos;
  std::size_t line_ = 0;
  std::size_t column_ = 0;
};

enum class format_style { text, json };

// The bytes of a value of BTF type `type_id` written as `text`. Their size is
// btf__resolve_size(type_id); byte order is the BTF's (btf__endianness).
std::vector<std::uint8_t> parse_value(const btf* btf, std::uint32_t type_id, std::string_view text);

// `bytes` (exactly the type's size) as text in the syntax above, or as JSON.
std::string format_value(const btf* btf, std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                         format_style style = format_style::text);

// For keys and values without BTF types: `size` bytes written as
//   an integer (decimal, 0x hex or negative): little-endian, range-checked to
//     size bytes, for size <= 8; a 0x literal means an integer only when size is
//     1, 2, 4 or 8;
//   0x followed by exactly 2*size hex digits, when size is not 1, 2, 4 or 8:
//     the bytes in memory order (0x0a000001 is the bytes 0a 00 00 01);
//   [b0, b1, ...]: bytes 0..255 (or 'c'), fewer are zero-filled;
//   "a string": at most size bytes, zero-filled.
std::vector<std::uint8_t> parse_bytes(std::size_t size, std::string_view text);

// The inverse of parse_bytes: sizes 1, 2, 4 and 8 as an unsigned decimal
// little-endian integer (JSON: a number, or a string past 2^53 - 1), any
// other size as 0x hex in memory order (JSON: the same, as a string).
std::string format_bytes(std::span<const std::uint8_t> bytes, format_style style = format_style::text);

// A C-like name of the type for messages: "struct flow_key", "__u32",
// "unsigned int[4]", "const char *".
std::string describe_type(const btf* btf, std::uint32_t type_id);

// How many leading characters of `text` (leading whitespace included) form
// one value, so a caller can split "map[KEY]=VALUE" where KEY may itself hold
// brackets or quoted text. Throws btf_text_error on a syntax error.
std::size_t value_extent(std::string_view text);

}  // namespace bpfkit
