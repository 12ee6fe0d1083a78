// Every error parse_value and format_value report: one message that names
// the type, says what is wrong, and points at the column.
#include <gtest/gtest.h>

#include <iterator>
#include <random>

#include "bpfkit/btf_text.hpp"
#include "test_btf.hpp"

namespace {

using bpfkit::btf_text_error;

std::string error_of(std::uint32_t type, std::string_view text) {
  try {
    bpfkit::parse_value(types().b, type, text);
  } catch (const btf_text_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Errors, UnknownFieldListsTheFields) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.flow_key, "{prot=17}"),
            "column 2: unknown field 'prot' in struct flow_key; fields: saddr, daddr, sport, dport, proto");
  EXPECT_EQ(error_of(t.cv_flow, "{sport=1, prot=17}"),
            "column 11: unknown field 'prot' in struct flow_key; fields: saddr, daddr, sport, dport, proto");
  EXPECT_EQ(error_of(t.addr, "{v5=1}"), "column 2: unknown field 'v5' in struct addr; fields: family, v4, v6, port");
  EXPECT_EQ(error_of(t.bits, "{g=1}"), "column 2: unknown field 'g' in struct bits; fields: a, b, c, d, e, f");
  EXPECT_EQ(error_of(t.outer, "{key={x=1}}"),
            "column 7: unknown field 'x' in struct flow_key; fields: saddr, daddr, sport, dport, proto");
  EXPECT_EQ(error_of(t.empty, "{a=1}"), "column 2: unknown field 'a' in struct empty; it has no fields");
  EXPECT_EQ(error_of(t.bss, "{count=1}"),
            "column 2: unknown variable 'count' in section .bss; variables: counter, label");
}

TEST(Errors, TheExceptionCarriesReasonAndPosition) {
  const auto& t = types();
  try {
    bpfkit::parse_value(t.b, t.flow_key, "{\n  sport=1,\n  prot=17\n}");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    auto& error = dynamic_cast<const btf_text_error&>(e);
    EXPECT_STREQ(error.what(),
                 "line 3, column 3: unknown field 'prot' in struct flow_key; fields: saddr, daddr, sport, dport, "
                 "proto");
    EXPECT_EQ(error.reason(),
              "unknown field 'prot' in struct flow_key; fields: saddr, daddr, sport, dport, proto");
    EXPECT_EQ(error.offset(), 15u);
    EXPECT_EQ(error.line(), 3u);
    EXPECT_EQ(error.column(), 3u);
  }
}

TEST(Errors, OutOfRange) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.u8, "256"), "column 1: 256 is out of range for unsigned char (0..255)");
  EXPECT_EQ(error_of(t.t_u8, "-1"), "column 1: -1 is out of range for __u8 (0..255)");
  EXPECT_EQ(error_of(t.s8, "128"), "column 1: 128 is out of range for signed char (-128..127)");
  EXPECT_EQ(error_of(t.s8, "-129"), "column 1: -129 is out of range for signed char (-128..127)");
  EXPECT_EQ(error_of(t.u16, "0x10000"), "column 1: 65536 is out of range for unsigned short (0..65535)");
  EXPECT_EQ(error_of(t.s32, "0x80000000"), "column 1: 2147483648 is out of range for int (-2147483648..2147483647)");
  EXPECT_EQ(error_of(t.u64, "18446744073709551616"),
            "column 1: 18446744073709551616 is out of range for unsigned long long (0..18446744073709551615)");
  EXPECT_EQ(error_of(t.s64, "9223372036854775808"),
            "column 1: 9223372036854775808 is out of range for long long "
            "(-9223372036854775808..9223372036854775807)");
  EXPECT_EQ(error_of(t.u128, "0x1" + std::string(32, '0')), "column 1: number 0x1" + std::string(32, '0') +
                                                                " is too large");
  EXPECT_EQ(error_of(t.chr, "256"), "column 1: 256 is out of range for char (-128..255)");
  EXPECT_EQ(error_of(t.boolean, "256"), "column 1: 256 is out of range for _Bool (0..255)");
  EXPECT_EQ(error_of(t.flow_key, "{sport=65536}"), "column 8: 65536 is out of range for __u16 (0..65535)");
  EXPECT_EQ(error_of(t.flow_key, "{saddr=0x100000000}"), "column 8: 4294967296 is out of range for __be32 (0..4294967295)");
  EXPECT_EQ(error_of(t.bits, "{a=8}"), "column 4: 8 is out of range for 3-bit field 'a' (0..7)");
  EXPECT_EQ(error_of(t.bits, "{c=8}"), "column 4: 8 is out of range for 4-bit field 'c' (-8..7)");
  EXPECT_EQ(error_of(t.bits, "{e=4}"), "column 4: 4 is out of range for 2-bit field 'e' (-2..3)");
  EXPECT_EQ(error_of(t.bits, "{f=2}"), "column 4: 2 is out of range for 1-bit field 'f' (0..1)");
  EXPECT_EQ(error_of(t.ip_proto, "256"), "column 1: 256 is out of range for enum ip_proto (-128..255)");
  EXPECT_EQ(error_of(t.u32, "NEG"), "column 1: -1 is out of range for unsigned int (0..4294967295)");
  EXPECT_EQ(error_of(t.char_ptr, "-1"), "column 1: -1 is out of range for char * (0..18446744073709551615)");
  EXPECT_EQ(error_of(t.flt, "1e39"), "column 1: 1e39 is out of range for float");
  EXPECT_EQ(error_of(t.grid, "[[0], [0, 0, 2147483648]]"),
            "column 14: 2147483648 is out of range for int (-2147483648..2147483647)");
}

TEST(Errors, BadEnumeratorListsTheEnumerators) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.flow_key, "{proto=IPPROTO_UPD}"),
            "column 8: unknown enumerator 'IPPROTO_UPD' of enum ip_proto; enumerators: IPPROTO_TCP, IPPROTO_UDP");
  EXPECT_EQ(error_of(t.bits, "{e=PURPLE}"),
            "column 4: unknown enumerator 'PURPLE' of enum color; enumerators: RED, GREEN, BLUE");
  EXPECT_EQ(error_of(t.u32, "FOO"),
            "column 1: unknown name 'FOO' for unsigned int: expected an integer or an enumerator of an enum in the "
            "BTF");
  EXPECT_EQ(error_of(t.ip_proto, "{}"), "column 1: expected an enumerator of enum ip_proto or a number, found {...}");
}

TEST(Errors, TooManyArrayElements) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.u32x4, "[1, 2, 3, 4, 5]"),
            "column 14: too many elements for unsigned int[4]: it holds 4, 5 given");
  EXPECT_EQ(error_of(t.grid, "[[1, 2, 3, 4]]"), "column 12: too many elements for int[3]: it holds 3, 4 given");
  EXPECT_EQ(error_of(t.grid, "[[], [], []]"), "column 10: too many elements for int[2][3]: it holds 2, 3 given");
  EXPECT_EQ(error_of(t.char8, "\"123456789\""), "column 1: a string of 9 bytes does not fit char[8]");
  EXPECT_EQ(error_of(t.outer, "{name=\"123456789\"}"), "column 7: a string of 9 bytes does not fit char[8]");
}

TEST(Errors, WrongKindOfValue) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.flow_key, "5"), "column 1: expected {field=value, ...} for struct flow_key, found 5");
  EXPECT_EQ(error_of(t.flow_key, "[1]"), "column 1: expected {field=value, ...} for struct flow_key, found [...]");
  EXPECT_EQ(error_of(t.u32x4, "{}"), "column 1: expected [value, ...] for unsigned int[4], found {...}");
  EXPECT_EQ(error_of(t.u32x4, "\"ab\""), "column 1: expected [value, ...] for unsigned int[4], found \"ab\"");
  EXPECT_EQ(error_of(t.char8, "5"), "column 1: expected [value, ...] or \"string\" for char[8], found 5");
  EXPECT_EQ(error_of(t.u32, "1.5"), "column 1: expected an integer for unsigned int, found 1.5");
  EXPECT_EQ(error_of(t.u32, "\"1\""), "column 1: expected an integer for unsigned int, found \"1\"");
  EXPECT_EQ(error_of(t.u32, "[1]"), "column 1: expected an integer for unsigned int, found [...]");
  EXPECT_EQ(error_of(t.chr, "\"a\""), "column 1: expected a number or 'c' for char, found \"a\"");
  EXPECT_EQ(error_of(t.boolean, "yes"), "column 1: expected true, false or a number for _Bool, found 'yes'");
  EXPECT_EQ(error_of(t.dbl, "{}"), "column 1: expected a number for double, found {...}");
  EXPECT_EQ(error_of(t.dbl, "infinity"), "column 1: expected a number for double, found 'infinity'");
  EXPECT_EQ(error_of(t.char_ptr, "\"x\""), "column 1: expected an integer (an address) for char *, found \"x\"");
  EXPECT_EQ(error_of(t.long_double, "1"),
            "column 1: long double is a 16-byte floating-point type; only 4- and 8-byte ones are supported");
}

TEST(Errors, FieldsGivenTwiceOrOverlapping) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.flow_key, "{sport=1, sport=2}"), "column 11: field 'sport' is given twice");
  EXPECT_EQ(error_of(t.addr, "{v4=1, v6=[]}"),
            "column 8: fields 'v4' and 'v6' share union <anonymous>; give only one of them");
  EXPECT_EQ(error_of(t.num, "{u=1, s=2}"), "column 7: fields 'u' and 's' share union num; give only one of them");
  EXPECT_EQ(error_of(t.split, "{lo=1, whole=2}"),
            "column 8: fields 'lo' and 'whole' share union <anonymous>; give only one of them");
  // lo and hi are in the same member of the union: both may be given.
  EXPECT_NO_THROW(bpfkit::parse_value(t.b, t.split, "{lo=1, hi=2}"));
}

TEST(Errors, Syntax) {
  const auto& t = types();
  EXPECT_EQ(error_of(t.u32, ""), "column 1: expected a value, found end of text");
  EXPECT_EQ(error_of(t.u32, "   "), "column 4: expected a value, found end of text");
  EXPECT_EQ(error_of(t.u32, "1 2"), "column 3: expected end of text after the value, found 2");
  EXPECT_EQ(error_of(t.u32, "1,"), "column 2: expected end of text after the value, found ','");
  EXPECT_EQ(error_of(t.flow_key, "{sport=}"), "column 8: expected a value, found '}'");
  EXPECT_EQ(error_of(t.flow_key, "{sport 1}"), "column 8: expected '=' after field name 'sport', found 1");
  EXPECT_EQ(error_of(t.flow_key, "{sport=1 dport=2}"), "column 10: expected ',' or '}', found 'dport'");
  EXPECT_EQ(error_of(t.flow_key, "{sport=1"), "column 9: expected ',' or '}', found end of text");
  EXPECT_EQ(error_of(t.flow_key, "{1=2}"), "column 2: expected a field name, found 1");
  EXPECT_EQ(error_of(t.flow_key, "{,}"), "column 2: expected a field name, found ','");
  EXPECT_EQ(error_of(t.u32x4, "[1 2]"), "column 4: expected ',' or ']', found 2");
  EXPECT_EQ(error_of(t.u32x4, "[1,,2]"), "column 4: expected a value, found ','");
  EXPECT_EQ(error_of(t.char8, "\"abc"), "column 1: unterminated string");
  EXPECT_EQ(error_of(t.char8, "\"a\\qb\""), "column 3: unknown escape '\\q' (known: \\n \\t \\r \\0 \\\\ \\' \\\" \\xHH)");
  EXPECT_EQ(error_of(t.char8, "\"\\x4\""), "column 2: \\x needs two hex digits");
  EXPECT_EQ(error_of(t.chr, "'ab'"),
            "column 1: a character literal holds exactly one character; use \"...\" for a string");
  EXPECT_EQ(error_of(t.chr, "'a"), "column 1: unterminated character literal");
  EXPECT_EQ(error_of(t.u32, "010"),
            "column 1: ambiguous number 010: a leading 0 means octal in C; write it in decimal without the 0, or "
            "as 0x...");
  EXPECT_EQ(error_of(t.u32, "12ab"), "column 1: malformed number 12ab");
  EXPECT_EQ(error_of(t.u32, "0x"), "column 1: malformed number 0x");
  EXPECT_EQ(error_of(t.u32, "0b12"), "column 1: malformed number 0b12");
  EXPECT_EQ(error_of(t.dbl, "1.2.3"), "column 1: malformed number 1.2.3");
  EXPECT_EQ(error_of(t.u32, "@"), "column 1: unexpected character '@'");
  EXPECT_EQ(error_of(t.u32, "\x01"), "column 1: unexpected character '\\x01'");
  EXPECT_EQ(error_of(t.flow_key, "{sport=1}}"), "column 10: expected end of text after the value, found '}'");
  EXPECT_EQ(error_of(t.u32x4, std::string(100, '[') + std::string(100, ']')),
            "column 66: values are nested too deeply");
}

TEST(Errors, TypesThatHoldNoValue) {
  const auto& t = types();
  EXPECT_EQ(error_of(0, "1"), "void has no value");
  EXPECT_EQ(error_of(t.fwd, "{}"), "struct opaque is only declared in this BTF, not defined, so its layout is unknown");
  EXPECT_EQ(error_of(t.func_proto, "1"), "function type is not a type that holds a value");
  EXPECT_EQ(error_of(9999, "1"), "type id 9999 is not in the BTF");
  EXPECT_EQ(error_of(t.unsized_sec, "{}"),
            "section .data is 0 bytes in this BTF but its variables need 8; use the BTF of the opened object "
            "(bpf_object__btf), where libbpf has laid out the section");
  EXPECT_THROW(bpfkit::parse_value(nullptr, 1, "1"), btf_text_error);
  EXPECT_THROW(bpfkit::format_value(nullptr, 1, {}), btf_text_error);
}

TEST(Errors, FormatChecksTheSize) {
  const auto& t = types();
  try {
    bpfkit::format_value(t.b, t.flow_key, bytes({1, 2, 3}));
    FAIL() << "no error";
  } catch (const btf_text_error& e) {
    EXPECT_STREQ(e.what(), "struct flow_key is 16 bytes, but 3 bytes were given");
    EXPECT_EQ(e.column(), 0u);
  }
  EXPECT_THROW(bpfkit::format_value(t.b, t.long_double, std::vector<std::uint8_t>(16)), btf_text_error);
}

}  // namespace

namespace {

// Mangled input of every kind gives a value or a btf_text_error, nothing else.
TEST(Errors, MangledTextNeverEscapesAsAnotherError) {
  const auto& t = types();
  const std::string seeds[] = {
      "{saddr=0x0a000001, sport=1000, proto=IPPROTO_UDP}", "{key={sport=1}, name=\"hi\\x41\", grid=[[1], [2]]}",
      "{a=5, c=-3, e=BLUE, f=true}", "{family=2, v6=[1, 2], port=80}", "['a', '\\n', 3]", "-1.5e3", "0b1010",
  };
  const char alphabet[] = "{}[]=,.'\"\\-+0123456789abcdefxXeE_ \n";
  std::mt19937 rng(2024);
  for (int i = 0; i < 5000; ++i) {
    std::string s = seeds[rng() % std::size(seeds)];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      std::size_t at = s.empty() ? 0 : rng() % s.size();
      switch (rng() % 3) {
        case 0: if (!s.empty()) s.erase(at, 1); break;
        case 1: s.insert(s.begin() + static_cast<long>(at), alphabet[rng() % (sizeof alphabet - 1)]); break;
        default: if (!s.empty()) s[at] = alphabet[rng() % (sizeof alphabet - 1)]; break;
      }
    }
    for (std::uint32_t type : {t.flow_key, t.outer, t.bits, t.addr, t.char8, t.dbl, t.u8}) {
      try {
        bpfkit::parse_value(t.b, type, s);
      } catch (const btf_text_error& e) {
        EXPECT_TRUE(e.offset() == btf_text_error::npos || e.offset() <= s.size()) << s;
      }
    }
    try {
      bpfkit::parse_bytes(6, s);
    } catch (const btf_text_error&) {
    }
  }
}

}  // namespace
