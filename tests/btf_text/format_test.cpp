// format_value: text in the syntax parse_value reads, and JSON.
#include <gtest/gtest.h>

#include "bpfkit/btf_text.hpp"
#include "test_btf.hpp"

namespace {

using bpfkit::format_style;

std::string text(std::uint32_t type, const std::vector<std::uint8_t>& v) {
  return bpfkit::format_value(types().b, type, v);
}
std::string json(std::uint32_t type, const std::vector<std::uint8_t>& v) {
  return bpfkit::format_value(types().b, type, v, format_style::json);
}
// Formats the value that `source` parses to.
std::string text_of(std::uint32_t type, std::string_view source) {
  return text(type, bpfkit::parse_value(types().b, type, source));
}
std::string json_of(std::uint32_t type, std::string_view source) {
  return json(type, bpfkit::parse_value(types().b, type, source));
}

TEST(FormatText, Integers) {
  const auto& t = types();
  EXPECT_EQ(text(t.u8, bytes({0xff})), "255");
  EXPECT_EQ(text(t.s8, bytes({0xff})), "-1");
  EXPECT_EQ(text(t.s16, bytes({0x00, 0x80})), "-32768");
  EXPECT_EQ(text(t.u32, bytes({0xff, 0xff, 0xff, 0xff})), "4294967295");
  EXPECT_EQ(text(t.s64, bytes({0, 0, 0, 0, 0, 0, 0, 0x80})), "-9223372036854775808");
  EXPECT_EQ(text_of(t.u128, "0xffffffffffffffffffffffffffffffff"), "340282366920938463463374607431768211455");
  EXPECT_EQ(text_of(t.s128, "-170141183460469231731687303715884105728"), "-170141183460469231731687303715884105728");
  EXPECT_EQ(text(t.cv_u32_alias, bytes({1, 1, 0, 0})), "257");
}

TEST(FormatText, NetworkOrderAsHex) {
  const auto& t = types();
  EXPECT_EQ(text(t.t_be32, bytes({0x0a, 0, 0, 1})), "0x0a000001");
  EXPECT_EQ(text(t.t_be16, bytes({0, 0x50})), "0x0050");
}

TEST(FormatText, CharsBoolsEnums) {
  const auto& t = types();
  EXPECT_EQ(text(t.chr, bytes({'A'})), "'A'");
  EXPECT_EQ(text(t.chr, bytes({'\''})), "'\\''");
  EXPECT_EQ(text(t.chr, bytes({'\\'})), "'\\\\'");
  EXPECT_EQ(text(t.chr, bytes({0})), "0");
  EXPECT_EQ(text(t.chr, bytes({0xff})), "-1");
  EXPECT_EQ(text(t.u8, bytes({'A'})), "65");  // unsigned char is a number
  EXPECT_EQ(text(t.boolean, bytes({1})), "true");
  EXPECT_EQ(text(t.boolean, bytes({0})), "false");
  EXPECT_EQ(text(t.boolean, bytes({2})), "2");
  EXPECT_EQ(text(t.ip_proto, bytes({17})), "IPPROTO_UDP");
  EXPECT_EQ(text(t.ip_proto, bytes({200})), "200");
  EXPECT_EQ(text(t.sign, bytes({0xff, 0xff, 0xff, 0xff})), "NEG");
  EXPECT_EQ(text(t.sign, bytes({0xfb, 0xff, 0xff, 0xff})), "-5");
  EXPECT_EQ(text(t.color, bytes({7, 0, 0, 0})), "7");
  EXPECT_EQ(text_of(t.big, "ALL"), "ALL");
  EXPECT_EQ(text_of(t.big, "LARGE"), "LARGE");
}

TEST(FormatText, FloatsShortestExact) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.dbl, "0.5"), "0.5");
  EXPECT_EQ(text_of(t.dbl, "1e30"), "1e+30");
  EXPECT_EQ(text_of(t.flt, "0.1"), "0.1");
  EXPECT_EQ(text_of(t.flt, "-3"), "-3");
  EXPECT_EQ(text_of(t.dbl, "-inf"), "-inf");
  EXPECT_EQ(text_of(t.flt, "nan"), "nan");
}

TEST(FormatText, PointersAsHex) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.char_ptr, "0xffff888812345678"), "0xffff888812345678");
  EXPECT_EQ(text_of(t.char_ptr, "0"), "0x0");
}

TEST(FormatText, Structs) {
  const auto& t = types();
  EXPECT_EQ(text(t.flow_key, bytes({0x0a, 0, 0, 1, 0x0a, 0, 0, 2, 0xe8, 3, 0x35, 0, 17, 0, 0, 0})),
            "{saddr=0x0a000001, daddr=0x0a000002, sport=1000, dport=53, proto=IPPROTO_UDP}");
  EXPECT_EQ(text_of(t.cv_flow, "{sport=1}"),
            "{saddr=0x00000000, daddr=0x00000000, sport=1, dport=0, proto=0}");
  EXPECT_EQ(text_of(t.flow_value, "{packets=10, bytes=1500, flags=[1]}"),
            "{packets=10, bytes=1500, flags=[1, 0]}");
  EXPECT_EQ(text(t.empty, {}), "{}");
}

TEST(FormatText, Bitfields) {
  const auto& t = types();
  EXPECT_EQ(text(t.bits, bytes({0x8d, 0x0d, 0xef, 0xbe, 0x06, 0, 0, 0})),
            "{a=5, b=17, c=-3, d=48879, e=BLUE, f=true}");
  EXPECT_EQ(text(t.bits, bytes({0, 0xf0, 0, 0, 0, 0, 0, 0})), "{a=0, b=0, c=0, d=0, e=RED, f=false}");
}

TEST(FormatText, AnonymousMembersInline) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.addr, "{family=2, v4=0x0a000001, port=80}"), "{family=2, v4=0x0a000001, port=80}");
  // v4 cannot carry bytes 4..15 of the union: the formatter picks v6.
  EXPECT_EQ(text_of(t.addr, "{family=10, v6=[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]}"),
            "{family=10, v6=[32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port=0}");
  EXPECT_EQ(text_of(t.split, "{whole=0x0000000200000001, tag='x'}"), "{lo=1, hi=2, tag='x'}");
}

TEST(FormatText, UnionShowsFirstMemberThatKeepsEveryByte) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.num, "{s=-2}"), "{u=65534}");
  EXPECT_EQ(text_of(t.padded, "{s={a=1, b=2}}"), "{s={a=1, b=2}}");
  // Bytes in the struct's padding: only raw keeps them.
  EXPECT_EQ(text_of(t.padded, "{raw=0x0000000200000101}"), "{raw=8589934849}");
}

TEST(FormatText, Arrays) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.u32x4, "[1, 2]"), "[1, 2, 0, 0]");
  EXPECT_EQ(text_of(t.grid, "[[1], [2, 3]]"), "[[1, 0, 0], [2, 3, 0]]");
  EXPECT_EQ(text_of(t.u8x16, "[1]"), "[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
}

TEST(FormatText, CharArraysAsStringsWhenTheyReadBackExactly) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.char8, "\"hi\""), "\"hi\"");
  EXPECT_EQ(text_of(t.char8, "\"\""), "\"\"");
  EXPECT_EQ(text_of(t.char8, "\"a\\\"b\\\\\""), "\"a\\\"b\\\\\"");
  // No NUL, a byte after the NUL, a non-printable byte: element lists.
  EXPECT_EQ(text_of(t.char8, "\"abcdefgh\""), "['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']");
  EXPECT_EQ(text_of(t.char8, "['h', 0, 'x']"), "['h', 0, 'x', 0, 0, 0, 0, 0]");
  EXPECT_EQ(text_of(t.char8, "\"a\\n\""), "['a', 10, 0, 0, 0, 0, 0, 0]");
}

TEST(FormatText, NestedStructAndDatasec) {
  const auto& t = types();
  EXPECT_EQ(text_of(t.outer, "{key={sport=1, proto=IPPROTO_TCP}, counts=[7], name=\"hi\", grid=[[0], [0, 5]], "
                             "ptr=0x10, ratio=0.5, scale=2}"),
            "{key={saddr=0x00000000, daddr=0x00000000, sport=1, dport=0, proto=IPPROTO_TCP}, counts=[7, 0, 0, 0], "
            "name=\"hi\", grid=[[0, 0, 0], [0, 5, 0]], ptr=0x10, ratio=0.5, scale=2}");
  EXPECT_EQ(text_of(t.bss, "{counter=5, label=\"x\"}"), "{counter=5, label=\"x\"}");
}

TEST(FormatText, BigEndianBtf) {
  const auto& t = be_types();
  EXPECT_EQ(bpfkit::format_value(t.b, t.u32, bytes({1, 2, 3, 4})), "16909060");
  EXPECT_EQ(bpfkit::format_value(t.b, t.bits, bytes({0xb1, 0xd0, 0xbe, 0xef})), "{a=5, b=17, c=-3, d=48879}");
}

TEST(FormatJson, Scalars) {
  const auto& t = types();
  EXPECT_EQ(json(t.u8, bytes({0xff})), "255");
  EXPECT_EQ(json(t.s32, bytes({0xfe, 0xff, 0xff, 0xff})), "-2");
  EXPECT_EQ(json(t.chr, bytes({'A'})), "65");
  EXPECT_EQ(json(t.boolean, bytes({1})), "true");
  EXPECT_EQ(json(t.ip_proto, bytes({17})), "\"IPPROTO_UDP\"");
  EXPECT_EQ(json(t.ip_proto, bytes({200})), "200");
  EXPECT_EQ(json(t.t_be32, bytes({0x0a, 0, 0, 1})), "167772161");
  EXPECT_EQ(json_of(t.char_ptr, "0xffff888812345678"), "\"0xffff888812345678\"");
  EXPECT_EQ(json_of(t.dbl, "0.25"), "0.25");
  EXPECT_EQ(json_of(t.dbl, "inf"), "\"inf\"");
  EXPECT_EQ(json_of(t.flt, "nan"), "\"nan\"");
}

TEST(FormatJson, LargeIntegersBecomeStrings) {
  const auto& t = types();
  EXPECT_EQ(json_of(t.u64, "9007199254740991"), "9007199254740991");          // 2^53 - 1
  EXPECT_EQ(json_of(t.u64, "9007199254740992"), "\"9007199254740992\"");      // 2^53
  EXPECT_EQ(json_of(t.s64, "-9007199254740991"), "-9007199254740991");
  EXPECT_EQ(json_of(t.s64, "-9223372036854775808"), "\"-9223372036854775808\"");
  EXPECT_EQ(json_of(t.u64, "18446744073709551615"), "\"18446744073709551615\"");
  EXPECT_EQ(json_of(t.u128, "0xffffffffffffffffffffffffffffffff"), "\"340282366920938463463374607431768211455\"");
}

TEST(FormatJson, Composites) {
  const auto& t = types();
  EXPECT_EQ(json_of(t.flow_key, "{saddr=0x0a000001, sport=1000, proto=IPPROTO_UDP}"),
            "{\"saddr\": 167772161, \"daddr\": 0, \"sport\": 1000, \"dport\": 0, \"proto\": \"IPPROTO_UDP\"}");
  EXPECT_EQ(json_of(t.flow_value, "{flags=[1]}"), "{\"packets\": 0, \"bytes\": 0, \"flags\": [1, 0]}");
  EXPECT_EQ(json_of(t.bits, "{a=5, c=-3, e=GREEN, f=true}"),
            "{\"a\": 5, \"b\": 0, \"c\": -3, \"d\": 0, \"e\": \"GREEN\", \"f\": true}");
  EXPECT_EQ(json_of(t.split, "{lo=1, tag='x'}"), "{\"lo\": 1, \"hi\": 0, \"tag\": 120}");
  EXPECT_EQ(json_of(t.char8, "\"a\\\"\\\\\""), "\"a\\\"\\\\\"");
  EXPECT_EQ(json_of(t.char8, "\"abcdefgh\""), "[97, 98, 99, 100, 101, 102, 103, 104]");
  EXPECT_EQ(json_of(t.grid, "[[1], [2]]"), "[[1, 0, 0], [2, 0, 0]]");
  EXPECT_EQ(json_of(t.bss, "{counter=5, label=\"x\"}"), "{\"counter\": 5, \"label\": \"x\"}");
  EXPECT_EQ(json(t.empty, {}), "{}");
}

}  // namespace
