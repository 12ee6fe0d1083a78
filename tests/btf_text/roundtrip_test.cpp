// parse(format(x)) == x: for values written by hand, and for random bytes of
// every type (with padding: format/parse reach a fixed point after the
// padding is dropped).
#include <gtest/gtest.h>

#include <random>

#include "bpfkit/btf_text.hpp"
#include "test_btf.hpp"

namespace {

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

void expect_round_trip(const btf* b, std::uint32_t type, const std::vector<std::uint8_t>& x) {
  std::string text = bpfkit::format_value(b, type, x);
  EXPECT_EQ(hex(bpfkit::parse_value(b, type, text)), hex(x)) << bpfkit::describe_type(b, type) << ": " << text;
}

TEST(RoundTrip, HandWrittenValues) {
  const auto& t = types();
  const std::pair<std::uint32_t, const char*> cases[] = {
      {t.flow_key, "{saddr=0x0a000001, daddr=0xc0a80001, sport=1000, dport=53, proto=IPPROTO_UDP}"},
      {t.flow_value, "{packets=18446744073709551615, bytes=1, flags=[1, 255]}"},
      {t.bits, "{a=7, b=31, c=-8, d=65535, e=3, f=true}"},
      {t.bits, "{c=7, e=RED}"},
      {t.addr, "{family=10, v6=\"\\x20\\x01\\x0d\\xb8\"}"},
      {t.addr, "{family=2, v4=0xffffffff, port=65535}"},
      {t.split, "{whole=0xffffffffffffffff, tag=-128}"},
      {t.num, "{f=-1.25}"},
      {t.num, "{s=-1}"},
      {t.padded, "{raw=0xffffffffffffffff}"},
      {t.outer, "{key={proto=6}, counts=[1, 2, 3, 4], name=\"abcdefg\", grid=[[-1, 2], [3]], ptr=0xffffffffffffffff, "
                "ratio=-1e-300, scale=3.4028235e38}"},
      {t.outer, "{name=\"abcdefgh\"}"},
      {t.outer, "{name=[0, 1, 2], ratio=inf, scale=-inf}"},
      {t.bss, "{counter=1, label=\"\\\\\"}"},
      {t.char8, "['\\'', '\"', 0, 127, -128, -1]"},
  };
  for (const auto& [type, source] : cases) {
    expect_round_trip(t.b, type, bpfkit::parse_value(t.b, type, source));
  }
}

TEST(RoundTrip, RandomBytesOfPaddingFreeTypes) {
  const auto& t = types();
  std::mt19937 rng(12345);
  const std::uint32_t padding_free[] = {t.u8,    t.s8,    t.u16,  t.s16,     t.u32,      t.s32,
                                        t.u64,   t.s64,   t.u128, t.s128,    t.chr,      t.t_be16,
                                        t.t_be32, t.cv_u32_alias, t.ip_proto, t.sign, t.big, t.color,
                                        t.u32x4, t.char8, t.grid, t.u8x16,   t.char_ptr, t.num,
                                        t.bss};
  for (std::uint32_t type : padding_free) {
    std::size_t size = static_cast<std::size_t>(btf__resolve_size(t.b, type));
    for (int i = 0; i < 200; ++i) expect_round_trip(t.b, type, random_bytes(rng, size));
    expect_round_trip(t.b, type, std::vector<std::uint8_t>(size, 0));
    expect_round_trip(t.b, type, std::vector<std::uint8_t>(size, 0xff));
  }
}

TEST(RoundTrip, CharArraysWithStringsAndNoise) {
  const auto& t = types();
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::vector<std::uint8_t> v(8, 0);
    std::size_t len = rng() % 9;
    for (std::size_t j = 0; j < len; ++j) v[j] = static_cast<std::uint8_t>(0x20 + rng() % 0x5f);
    if (rng() % 4 == 0) v[rng() % 8] = static_cast<std::uint8_t>(rng());
    expect_round_trip(t.b, t.char8, v);
  }
}

TEST(RoundTrip, RandomBytesOfTypesWithPaddingReachAFixedPoint) {
  const auto& t = types();
  std::mt19937 rng(99);
  for (std::uint32_t type : {t.flow_key, t.flow_value, t.bits, t.addr, t.split, t.padded, t.outer, t.cv_flow}) {
    std::size_t size = static_cast<std::size_t>(btf__resolve_size(t.b, type));
    for (int i = 0; i < 200; ++i) {
      auto x = random_bytes(rng, size);
      // Float fields with NaN payloads read back as the default NaN.
      if (type == t.outer) std::fill(x.begin() + 72, x.begin() + 88, 0);
      std::string text = bpfkit::format_value(t.b, type, x);
      auto y = bpfkit::parse_value(t.b, type, text);
      EXPECT_EQ(bpfkit::format_value(t.b, type, y), text);
      expect_round_trip(t.b, type, y);
    }
  }
}

TEST(RoundTrip, BigEndianBtf) {
  const auto& t = be_types();
  std::mt19937 rng(3);
  for (std::uint32_t type : {t.u32, t.u16x2, t.bits}) {
    std::size_t size = static_cast<std::size_t>(btf__resolve_size(t.b, type));
    for (int i = 0; i < 200; ++i) {
      auto x = random_bytes(rng, size);
      if (type == t.bits) x[1] &= 0xf0;  // bits 12..15 are padding
      expect_round_trip(t.b, type, x);
    }
  }
}

}  // namespace
