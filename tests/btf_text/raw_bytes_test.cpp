// parse_bytes/format_bytes: keys and values without BTF types.
#include <gtest/gtest.h>

#include <random>

#include "bpfkit/btf_text.hpp"
#include "test_btf.hpp"

namespace {

using bpfkit::btf_text_error;
using bpfkit::format_style;

std::string raw(std::size_t size, std::string_view text) { return hex(bpfkit::parse_bytes(size, text)); }

std::string error_of(std::size_t size, std::string_view text) {
  try {
    bpfkit::parse_bytes(size, text);
  } catch (const btf_text_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RawBytes, IntegersAreLittleEndian) {
  EXPECT_EQ(raw(4, "1"), "01 00 00 00");
  EXPECT_EQ(raw(4, "0x0a000001"), "01 00 00 0a");
  EXPECT_EQ(raw(4, "-1"), "ff ff ff ff");
  EXPECT_EQ(raw(4, "4294967295"), "ff ff ff ff");
  EXPECT_EQ(raw(2, "-32768"), "00 80");
  EXPECT_EQ(raw(8, "0x0102030405060708"), "08 07 06 05 04 03 02 01");
  EXPECT_EQ(raw(1, "'a'"), "61");
  EXPECT_EQ(raw(3, "65536"), "00 00 01");
}

TEST(RawBytes, ByteListsHexAndStrings) {
  EXPECT_EQ(raw(4, "[1, 2]"), "01 02 00 00");
  EXPECT_EQ(raw(4, "[0xff, 'a', 0, 1]"), "ff 61 00 01");
  EXPECT_EQ(raw(6, "0x001122334455"), "00 11 22 33 44 55");
  EXPECT_EQ(raw(3, " 0XaBcDeF "), "ab cd ef");
  EXPECT_EQ(raw(16, "0x000102030405060708090a0b0c0d0e0f"), "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
  EXPECT_EQ(raw(6, "\"abc\""), "61 62 63 00 00 00");
  EXPECT_EQ(raw(0, "[]"), "");
}

TEST(RawBytes, Errors) {
  EXPECT_EQ(error_of(2, "65536"), "column 1: 65536 does not fit in 2 bytes");
  EXPECT_EQ(error_of(2, "-32769"), "column 1: -32769 does not fit in 2 bytes");
  EXPECT_EQ(error_of(4, "[1, 2, 3, 4, 5]"), "column 14: too many bytes for a 4-byte value: 5 given");
  EXPECT_EQ(error_of(4, "[1, 256]"), "column 5: 256 is not a byte (0..255)");
  EXPECT_EQ(error_of(4, "[1, {}]"), "column 5: expected a byte (0..255), found {...}");
  EXPECT_EQ(error_of(6, "0x0011"),
            "column 1: 0x0011 has 4 hex digits; a 6-byte value is written as a decimal integer, 0x followed by 12 "
            "hex digits (the bytes in order), [b0, b1, ...] or \"string\"");
  EXPECT_EQ(error_of(6, "0x00112233445g"), "column 1: malformed hex bytes 0x00112233445g");
  EXPECT_EQ(error_of(6, "0x001122334455 7"), "column 16: expected end of text after the value, found '7'");
  EXPECT_EQ(error_of(16, "5"),
            "column 1: a 16-byte value is written as 0x followed by 32 hex digits (the bytes in order), "
            "[b0, b1, ...] or \"string\"");
  EXPECT_EQ(error_of(4, "{a=1}"),
            "column 1: a 4-byte value is written as an integer, [b0, b1, ...] or \"string\"; found {...}");
  EXPECT_EQ(error_of(2, "\"abc\""), "column 1: a string of 3 bytes does not fit in 2 bytes");
  EXPECT_EQ(error_of(4, "[1,"), "column 4: expected a value, found end of text");
}

TEST(RawBytes, Format) {
  EXPECT_EQ(bpfkit::format_bytes(bytes({1, 0, 0, 0})), "1");
  EXPECT_EQ(bpfkit::format_bytes(bytes({1, 0})), "1");
  EXPECT_EQ(bpfkit::format_bytes(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})), "18446744073709551615");
  EXPECT_EQ(bpfkit::format_bytes(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), format_style::json),
            "\"18446744073709551615\"");
  EXPECT_EQ(bpfkit::format_bytes(bytes({7, 0, 0, 0, 0, 0, 0, 0}), format_style::json), "7");
  EXPECT_EQ(bpfkit::format_bytes(bytes({0, 0x11, 0x22, 0x33, 0x44, 0x55})), "0x001122334455");
  EXPECT_EQ(bpfkit::format_bytes(bytes({0, 0x11, 0x22}), format_style::json), "\"0x001122\"");
  EXPECT_EQ(bpfkit::format_bytes({}), "[]");
}

TEST(RawBytes, RoundTripEverySize) {
  std::mt19937 rng(5);
  for (std::size_t size = 0; size <= 40; ++size) {
    for (int i = 0; i < 50; ++i) {
      std::vector<std::uint8_t> v(size);
      for (auto& b : v) b = static_cast<std::uint8_t>(rng());
      std::string text = bpfkit::format_bytes(v);
      EXPECT_EQ(hex(bpfkit::parse_bytes(size, text)), hex(v)) << text;
    }
  }
}

}  // namespace
