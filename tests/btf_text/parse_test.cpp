// parse_value: the exact bytes each form of text produces.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "bpfkit/btf_text.hpp"
#include "test_btf.hpp"

namespace {

std::string parsed(std::uint32_t type, std::string_view text) {
  return hex(bpfkit::parse_value(types().b, type, text));
}

TEST(Parse, IntegersOfEverySize) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.u8, "255"), "ff");
  EXPECT_EQ(parsed(t.u8, "0"), "00");
  EXPECT_EQ(parsed(t.s8, "-128"), "80");
  EXPECT_EQ(parsed(t.s8, "127"), "7f");
  EXPECT_EQ(parsed(t.u16, "0x1234"), "34 12");
  EXPECT_EQ(parsed(t.s16, "-2"), "fe ff");
  EXPECT_EQ(parsed(t.u32, "4294967295"), "ff ff ff ff");
  EXPECT_EQ(parsed(t.s32, "-2147483648"), "00 00 00 80");
  EXPECT_EQ(parsed(t.u64, "0xFFFFFFFFFFFFFFFF"), "ff ff ff ff ff ff ff ff");
  EXPECT_EQ(parsed(t.s64, "-9223372036854775808"), "00 00 00 00 00 00 00 80");
  EXPECT_EQ(parsed(t.u128, "0x0f0e0d0c0b0a09080706050403020100"),
            "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
  EXPECT_EQ(parsed(t.s128, "-170141183460469231731687303715884105728"),
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80");
  EXPECT_EQ(parsed(t.u8, "0b101"), "05");
  EXPECT_EQ(parsed(t.s32, "-0x10"), "f0 ff ff ff");
  EXPECT_EQ(parsed(t.s32, "-0"), "00 00 00 00");
  EXPECT_EQ(parsed(t.u32, "  7\n"), "07 00 00 00");
}

TEST(Parse, TypedefChainsAndModifiersResolve) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.cv_u32_alias, "7"), "07 00 00 00");
  EXPECT_EQ(parsed(t.t_u64, "1"), "01 00 00 00 00 00 00 00");
}

TEST(Parse, NetworkOrderTypedefsTakeTheNumberInNetworkOrder) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.t_be32, "0x0a000001"), "0a 00 00 01");
  EXPECT_EQ(parsed(t.t_be16, "80"), "00 50");
}

TEST(Parse, Chars) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.chr, "'A'"), "41");
  EXPECT_EQ(parsed(t.chr, "'\\n'"), "0a");
  EXPECT_EQ(parsed(t.chr, "'\\''"), "27");
  EXPECT_EQ(parsed(t.chr, "'\\xff'"), "ff");
  EXPECT_EQ(parsed(t.chr, "-1"), "ff");
  EXPECT_EQ(parsed(t.chr, "200"), "c8");
  EXPECT_EQ(parsed(t.u8, "'a'"), "61");
}

TEST(Parse, Bools) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.boolean, "true"), "01");
  EXPECT_EQ(parsed(t.boolean, "false"), "00");
  EXPECT_EQ(parsed(t.boolean, "1"), "01");
}

TEST(Parse, EnumsByNameOrNumber) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.ip_proto, "IPPROTO_UDP"), "11");
  EXPECT_EQ(parsed(t.ip_proto, "6"), "06");
  EXPECT_EQ(parsed(t.ip_proto, "200"), "c8");  // C allows values without a name
  EXPECT_EQ(parsed(t.sign, "NEG"), "ff ff ff ff");
  EXPECT_EQ(parsed(t.sign, "-5"), "fb ff ff ff");
  EXPECT_EQ(parsed(t.color, "BLUE"), "02 00 00 00");
  EXPECT_EQ(parsed(t.big, "LARGE"), "00 00 00 00 00 01 00 00");
  EXPECT_EQ(parsed(t.big, "ALL"), "ff ff ff ff ff ff ff ff");
}

TEST(Parse, IntegersAcceptAnyEnumeratorOfTheBtf) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.t_u8, "IPPROTO_UDP"), "11");
  EXPECT_EQ(parsed(t.s32, "NEG"), "ff ff ff ff");
}

TEST(Parse, Floats) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.flt, "1.5"), "00 00 c0 3f");
  EXPECT_EQ(parsed(t.flt, "2"), "00 00 00 40");
  EXPECT_EQ(parsed(t.dbl, "-2"), "00 00 00 00 00 00 00 c0");
  EXPECT_EQ(parsed(t.dbl, "0.5e1"), "00 00 00 00 00 00 14 40");
  EXPECT_EQ(parsed(t.flt, "inf"), "00 00 80 7f");
  EXPECT_EQ(parsed(t.flt, "-inf"), "00 00 80 ff");
  auto nan = bpfkit::parse_value(t.b, t.dbl, "nan");
  double d;
  std::memcpy(&d, nan.data(), sizeof d);
  EXPECT_TRUE(std::isnan(d));
}

TEST(Parse, PointersAreIntegers) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.char_ptr, "0xffff888812345678"), "78 56 34 12 88 88 ff ff");
  EXPECT_EQ(parsed(t.const_char_ptr, "0"), "00 00 00 00 00 00 00 00");
}

TEST(Parse, StructByFieldNameInAnyOrder) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.flow_key, "{saddr=0x0a000001, daddr=0x0a000002, sport=1000, dport=53, proto=IPPROTO_UDP}"),
            "0a 00 00 01 0a 00 00 02 e8 03 35 00 11 00 00 00");
  EXPECT_EQ(parsed(t.flow_key, "{ proto = 6 , sport = 1 , }"), "00 00 00 00 00 00 00 00 01 00 00 00 06 00 00 00");
  EXPECT_EQ(parsed(t.flow_key, "{.dport=2}"), "00 00 00 00 00 00 00 00 00 00 02 00 00 00 00 00");
  EXPECT_EQ(parsed(t.flow_key, "{\n  sport=1,\n  dport=2\n}"), "00 00 00 00 00 00 00 00 01 00 02 00 00 00 00 00");
  EXPECT_EQ(parsed(t.flow_key, "{}"), "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.empty, "{}"), "");
}

TEST(Parse, StructThroughTypedefsAndQualifiers) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.cv_flow, "{sport=1000}"), parsed(t.flow_key, "{sport=1000}"));
  EXPECT_EQ(parsed(t.flow_t, "{proto=IPPROTO_TCP}"), "00 00 00 00 00 00 00 00 00 00 00 00 06 00 00 00");
}

TEST(Parse, BitfieldsArePacked) {
  const auto& t = types();
  // a:3=5 | b:5=17 -> 0x8d; c:4=-3 -> 0xd; d:16 at bit 16; e:2 at bit 32; f:1 at bit 34.
  EXPECT_EQ(parsed(t.bits, "{a=5, b=17, c=-3, d=0xbeef, e=BLUE, f=true}"), "8d 0d ef be 06 00 00 00");
  EXPECT_EQ(parsed(t.bits, "{b=31}"), "f8 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.bits, "{c=-8}"), "00 08 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.bits, "{f=1, e=3}"), "00 00 00 00 07 00 00 00");
}

TEST(Parse, AnonymousUnionMembersAreNamedDirectly) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.addr, "{family=2, v4=0x0a000001, port=80}"),
            "02 00 00 00 0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 50 00 00 00");
  EXPECT_EQ(parsed(t.addr, "{family=10, v6=[0x20, 0x01, 0x0d, 0xb8]}"),
            "0a 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(Parse, AnonymousStructInsideAnonymousUnion) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.split, "{lo=1, hi=2, tag='x'}"), "01 00 00 00 02 00 00 00 78 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.split, "{whole=0x0102030405060708}"), "08 07 06 05 04 03 02 01 00 00 00 00 00 00 00 00");
}

TEST(Parse, NamedUnionTakesOneMember) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.num, "{s=-2}"), "fe ff 00 00");
  EXPECT_EQ(parsed(t.num, "{f=1}"), "00 00 80 3f");
  EXPECT_EQ(parsed(t.padded, "{s={a=1, b=2}}"), "01 00 00 00 02 00 00 00");
}

TEST(Parse, ArraysAreZeroFilled) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.u32x4, "[1, 2]"), "01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.u32x4, "[]"), "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.u32x4, "[1,2,3,4,]"), "01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00");
  EXPECT_EQ(parsed(t.grid, "[[1, 2, 3], [-1]]"),
            "01 00 00 00 02 00 00 00 03 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 00");
}

TEST(Parse, CharArraysTakeStrings) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.char8, "\"abc\""), "61 62 63 00 00 00 00 00");
  EXPECT_EQ(parsed(t.char8, "\"abcdefgh\""), "61 62 63 64 65 66 67 68");  // no room for NUL, as in C
  EXPECT_EQ(parsed(t.char8, "\"a\\\"\\\\\\t\\0z\""), "61 22 5c 09 00 7a 00 00");
  EXPECT_EQ(parsed(t.char8, "['a', 98, 0x63]"), "61 62 63 00 00 00 00 00");
  EXPECT_EQ(parsed(t.u8x16, "\"\\x01\\x02\""), "01 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(Parse, NestedStructs) {
  const auto& t = types();
  auto v = bpfkit::parse_value(t.b, t.outer,
                               "{key={sport=1, proto=IPPROTO_TCP}, counts=[7], name=\"hi\", grid=[[0], [0, 5]], "
                               "ptr=0x10, ratio=0.5, scale=2}");
  ASSERT_EQ(v.size(), 88u);
  EXPECT_EQ(hex({v.begin(), v.begin() + 16}), "00 00 00 00 00 00 00 00 01 00 00 00 06 00 00 00");
  EXPECT_EQ(hex({v.begin() + 16, v.begin() + 20}), "07 00 00 00");
  EXPECT_EQ(hex({v.begin() + 32, v.begin() + 40}), "68 69 00 00 00 00 00 00");
  EXPECT_EQ(hex({v.begin() + 56, v.begin() + 60}), "05 00 00 00");
  EXPECT_EQ(hex({v.begin() + 64, v.begin() + 72}), "10 00 00 00 00 00 00 00");
  EXPECT_EQ(hex({v.begin() + 72, v.begin() + 80}), "00 00 00 00 00 00 e0 3f");
  EXPECT_EQ(hex({v.begin() + 80, v.begin() + 84}), "00 00 00 40");
}

TEST(Parse, DatasecByVariableName) {
  const auto& t = types();
  EXPECT_EQ(parsed(t.bss, "{counter=5, label=\"x\"}"), "05 00 00 00 00 00 00 00 78 00 00 00 00 00 00 00");
  EXPECT_EQ(parsed(t.counter_var, "9"), "09 00 00 00 00 00 00 00");  // a VAR is its type
}

TEST(Parse, BigEndianBtf) {
  const auto& t = be_types();
  EXPECT_EQ(hex(bpfkit::parse_value(t.b, t.u32, "0x01020304")), "01 02 03 04");
  EXPECT_EQ(hex(bpfkit::parse_value(t.b, t.u16x2, "[1, 2]")), "00 01 00 02");
  // Big-endian bitfields fill each byte from its most significant bit.
  EXPECT_EQ(hex(bpfkit::parse_value(t.b, t.bits, "{a=5, b=17, c=-3, d=0xbeef}")), "b1 d0 be ef");
}

TEST(ValueExtent, FindsTheEndOfTheFirstValue) {
  EXPECT_EQ(bpfkit::value_extent("{a=[1, 2], b=\"]\"}] == 5"), 17u);
  EXPECT_EQ(bpfkit::value_extent("  42]"), 4u);
  EXPECT_EQ(bpfkit::value_extent("'x' absent"), 3u);
  EXPECT_THROW(bpfkit::value_extent("{a=1"), bpfkit::btf_text_error);
}

TEST(DescribeType, CLikeNames) {
  const auto& t = types();
  EXPECT_EQ(bpfkit::describe_type(t.b, t.flow_key), "struct flow_key");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.t_u32), "__u32");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.u32x4), "unsigned int[4]");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.grid), "int[2][3]");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.char_ptr), "char *");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.const_char_ptr), "const char *");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.cv_u32_alias), "const volatile u32_alias");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.num), "union num");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.ip_proto), "enum ip_proto");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.big), "enum big");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.bss), "section .bss");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.fwd), "struct opaque");
  EXPECT_EQ(bpfkit::describe_type(t.b, t.flow_t), "flow_t");
  EXPECT_EQ(bpfkit::describe_type(t.b, 0), "void");
}

}  // namespace
