// parse_bytes/format_bytes: keys and values of maps whose BTF does not
// describe them (or that have no BTF) are plain byte strings; the natural
// reading of 1/2/4/8 bytes is an integer (array indexes, counters).
#include <algorithm>
#include <cctype>
#include <string>

#include "bpfkit/btf_text.hpp"
#include "failure.hpp"
#include "parser.hpp"

namespace bpfkit {
namespace {

using namespace btf_text_detail;

bool integer_size(std::size_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

std::string forms(std::size_t size) {
  std::string n = std::to_string(size);
  return "a " + n + "-byte value is written as " +
         (integer_size(size) ? std::string("an integer, ")
                             : (size <= 8 ? std::string("a decimal integer, ") : std::string()) + "0x followed by " +
                                   std::to_string(2 * size) + " hex digits (the bytes in order), ") +
         "[b0, b1, ...] or \"string\"";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 0x0a000001 as the bytes 0a 00 00 01, for sizes that are not integers.
std::vector<std::uint8_t> hex_bytes(std::size_t size, std::string_view text, std::size_t start) {
  std::size_t end = start + 2;
  while (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end]))) ++end;
  std::string_view digits = text.substr(start + 2, end - start - 2);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (hex_digit(digits[i]) < 0) fail_at(start, "malformed hex bytes " + std::string(text.substr(start, end - start)));
  }
  if (digits.size() != 2 * size) {
    fail_at(start, std::string(text.substr(start, end - start)) + " has " + std::to_string(digits.size()) +
                       " hex digits; " + forms(size));
  }
  std::size_t rest = end;
  while (rest < text.size() && std::isspace(static_cast<unsigned char>(text[rest]))) ++rest;
  if (rest != text.size()) fail_at(rest, "expected end of text after the value, found '" + std::string(1, text[rest]) + "'");
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = static_cast<std::uint8_t>(hex_digit(digits[2 * i]) * 16 + hex_digit(digits[2 * i + 1]));
  }
  return out;
}

std::vector<std::uint8_t> parse(std::size_t size, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  std::string_view head = text.substr(start, 2);
  if (!integer_size(size) && (head == "0x" || head == "0X")) return hex_bytes(size, text, start);

  node n = parse_text(text);
  std::vector<std::uint8_t> out(size);
  switch (n.k) {
    case node::kind::integer: {
      if (size > 8 || size == 0) fail_at(n.offset, forms(size));
      auto bits = static_cast<unsigned>(size * 8);
      if (!fits_unsigned(n.integer, bits) && !fits_signed(n.integer, bits)) {
        fail_at(n.offset, to_decimal(n.integer) + " does not fit in " + std::to_string(size) + " bytes");
      }
      u128 pattern = to_bits(n.integer, bits);
      for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(pattern >> (8 * i));
      return out;
    }
    case node::kind::list: {
      if (n.items.size() > size) {
        fail_at(n.items[size].offset, "too many bytes for a " + std::to_string(size) + "-byte value: " +
                                          std::to_string(n.items.size()) + " given");
      }
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        const node& b = n.items[i];
        if (b.k != node::kind::integer) fail_at(b.offset, "expected a byte (0..255), found " + b.found);
        if (!fits_unsigned(b.integer, 8)) fail_at(b.offset, to_decimal(b.integer) + " is not a byte (0..255)");
        out[i] = static_cast<std::uint8_t>(b.integer.magnitude);
      }
      return out;
    }
    case node::kind::string:
      if (n.str.size() > size) {
        fail_at(n.offset, "a string of " + std::to_string(n.str.size()) + " bytes does not fit in " +
                              std::to_string(size) + " bytes");
      }
      std::copy(n.str.begin(), n.str.end(), out.begin());
      return out;
    default:
      fail_at(n.offset, forms(size) + "; found " + n.found);
  }
}

}  // namespace

std::vector<std::uint8_t> parse_bytes(std::size_t size, std::string_view text) {
  return located(text, [&] { return parse(size, text); });
}

std::string format_bytes(std::span<const std::uint8_t> bytes, format_style style) {
  bool json = style == format_style::json;
  if (bytes.empty()) return "[]";
  if (integer_size(bytes.size())) {
    u128 v = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) v |= u128{bytes[i]} << (8 * i);
    std::string text = to_decimal(v);
    return json && v > (u128{1} << 53) - 1 ? "\"" + text + "\"" : text;
  }
  std::string text = "0x";
  for (std::uint8_t b : bytes) text += to_hex(b, 2);
  return json ? "\"" + text + "\"" : text;
}

}  // namespace bpfkit
