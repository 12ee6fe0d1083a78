// Tests of bpfkit::build_packet. Expected packets were computed with an
// independent Python (struct + socket) encoder and pasted as hex, one line
// per header; the checksum tests recompute every checksum here.
#include <bpfkit/packet.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bytes = std::vector<std::uint8_t>;

bytes from_hex(std::string_view hex) {
  bytes out;
  std::string digits;
  for (char c : hex)
    if (c != ' ')
      digits += c;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(const bytes& b) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t v : b) {
    out += digits[v >> 4];
    out += digits[v & 15];
  }
  return out;
}

// Bytes [from, to) of a packet as hex.
std::string hex_slice(const bytes& p, std::size_t from, std::size_t to = SIZE_MAX) {
  return to_hex(bytes(p.begin() + from, p.begin() + std::min(to, p.size())));
}
// Normalizes expected hex written with spaces between fields.
std::string hex(std::string_view expected) { return to_hex(from_hex(expected)); }

// Compares as hex so a failure shows both packets readably.
void expect_packet(std::string_view spec, std::string_view expected_hex) {
  SCOPED_TRACE(std::string(spec));
  EXPECT_EQ(to_hex(bpfkit::build_packet(spec)), hex(expected_hex));
}

// ---- exact bytes ----------------------------------------------------------------

TEST(Build, DefaultUdpOverIpv4) {
  expect_packet("eth/ipv4/udp", "020000000002 020000000001 0800"
                                "45 00 001c 0000 4000 40 11 26cf 0a000001 0a000002"
                                "03e8 0035 0008 e7be");
}

TEST(Build, Ipv4UdpWithFieldsAndText) {
  expect_packet("eth(src=aa:bb:cc:dd:ee:ff, dst=11:22:33:44:55:66)/ipv4(src=192.168.1.10, "
                "dst=192.168.1.20, ttl=17, tos=0x10, id=0x1234, df=0)/udp(sport=5353, dport=53)/"
                "payload(text=\"hello\")",
                "112233445566 aabbccddeeff 0800"
                "45 10 0021 1234 0000 11 11 141a c0a8010a c0a80114"
                "14e9 0035 000d 2375"
                "68656c6c6f");
}

TEST(Build, Ipv4TcpSynAck) {
  expect_packet("eth/ipv4(src=10.1.2.3, dst=10.3.2.1)/tcp(sport=40000, dport=443, "
                "seq=0x01020304, ack=0x0a0b0c0d, flags=SYN|ACK, win=1024)/payload(hex=deadbeef)",
                "020000000002 020000000001 0800"
                "45 00 002c 0000 4000 40 06 22c5 0a010203 0a030201"
                "9c40 01bb 01020304 0a0b0c0d 50 12 0400 3e10 0000"
                "deadbeef");
}

TEST(Build, Ipv4IcmpEchoWithFill) {
  expect_packet("eth/ipv4/icmp(id=0x4242, seq=7)/payload(fill=0xab, len=8)",
                "020000000002 020000000001 0800"
                "45 00 0024 0000 4000 40 01 26d7 0a000001 0a000002"
                "08 00 0708 4242 0007"
                "abababababababab");
}

TEST(Build, Ipv6UdpOddPayload) {
  expect_packet("eth/ipv6/udp/payload(text=abc)",
                "020000000002 020000000001 86dd"
                "60000000 000b 11 40 fd000000000000000000000000000001"
                "fd000000000000000000000000000002"
                "03e8 0035 000b 3d54"
                "616263");
}

TEST(Build, Ipv6TcpWithFields) {
  expect_packet("eth/ipv6(src=2001:db8::1, dst=2001:db8::2, hlim=255, tc=0xb8, flow=0x12345)/"
                "tcp(dport=22, flags=PSH|ACK)",
                "020000000002 020000000001 86dd"
                "6b812345 0014 06 ff 20010db8000000000000000000000001"
                "20010db8000000000000000000000002"
                "03e8 0016 00000000 00000000 50 18 ffff 505a 0000");
}

TEST(Build, Ipv6Icmp6Echo) {
  expect_packet("eth/ipv6/icmp6(id=1, seq=2)/payload(hex=00112233)",
                "020000000002 020000000001 86dd"
                "60000000 000c 3a 40 fd000000000000000000000000000001"
                "fd000000000000000000000000000002"
                "80 00 636d 0001 0002"
                "00112233");
}

TEST(Build, IcmpV6AliasIsIcmp6) {
  EXPECT_EQ(bpfkit::build_packet("ipv6/icmpv6(id=1)"), bpfkit::build_packet("ipv6/icmp6(id=1)"));
}

TEST(Build, RawIpv4WithoutEthernet) {
  expect_packet("ipv4/udp(dport=9)", "45 00 001c 0000 4000 40 11 26cf 0a000001 0a000002"
                                     "03e8 0009 0008 e7ea");
}

TEST(Build, Ipv6InIpv4) {
  expect_packet("eth/ipv4/ipv6/udp", "020000000002 020000000001 0800"
                                     "45 00 0044 0000 4000 40 29 268f 0a000001 0a000002"
                                     "60000000 0008 11 40 fd000000000000000000000000000001"
                                     "fd000000000000000000000000000002"
                                     "03e8 0035 0008 01bd");
}

TEST(Build, ExperimentalTypesWhenPayloadFollows) {
  expect_packet("eth/ipv4/payload(len=4)", "020000000002 020000000001 0800"
                                           "45 00 0018 0000 4000 40 fd 25e7 0a000001 0a000002"
                                           "00000000");
  expect_packet("eth", "020000000002 020000000001 88b5");
  expect_packet("ipv6", "60000000 0000 fd 40 fd000000000000000000000000000001"
                        "fd000000000000000000000000000002");
}

TEST(Build, WhitespaceAroundTokens) {
  EXPECT_EQ(bpfkit::build_packet("  eth /\tipv4 ( ttl = 3 ,\n tos=1 ) / udp  "),
            bpfkit::build_packet("eth/ipv4(ttl=3,tos=1)/udp"));
}

TEST(Build, NumbersInDecimalAndHexUpToTheFieldWidth) {
  EXPECT_EQ(bpfkit::build_packet("ipv4(ttl=0xff, id=65535)"),
            bpfkit::build_packet("ipv4(ttl=255, id=0xFFFF)"));
  const bytes p = bpfkit::build_packet("eth/vlan(id=4095, pcp=7, dei=1)");
  EXPECT_EQ(hex_slice(p, 14), "ffff88b5");
  const bytes v6 = bpfkit::build_packet("ipv6(flow=0xfffff, tc=255)");
  EXPECT_EQ(hex_slice(v6, 0, 4), "6fffffff");
}

// ---- VLAN -------------------------------------------------------------------

TEST(Vlan, SingleTagIs8021Q) {
  expect_packet("eth/vlan(id=100, pcp=5, dei=1)/ipv4/udp",
                "020000000002 020000000001 8100 b064 0800"
                "45 00 001c 0000 4000 40 11 26cf 0a000001 0a000002"
                "03e8 0035 0008 e7be");
}

TEST(Vlan, QinQOuterTagIs8021ad) {
  expect_packet("eth/vlan(id=10)/vlan(id=20)/ipv4/udp",
                "020000000002 020000000001 88a8 000a 8100 0014 0800"
                "45 00 001c 0000 4000 40 11 26cf 0a000001 0a000002"
                "03e8 0035 0008 e7be");
}

TEST(Vlan, TripleStackAndExplicitTpid) {
  const bytes p = bpfkit::build_packet("eth/vlan(id=1)/vlan(id=2)/vlan(id=3)/ipv6");
  EXPECT_EQ(hex_slice(p, 12, 26), hex("88a8 0001 8100 0002 8100 0003 86dd"));
  // A given type wins over the inferred TPID (e.g. the old 0x9100 QinQ).
  const bytes q = bpfkit::build_packet("eth(type=0x9100)/vlan(id=1)/vlan(id=2, type=0x0800)");
  EXPECT_EQ(hex_slice(q, 12), hex("9100 0001 8100 0002 0800"));
}

// ---- payload ------------------------------------------------------------------

TEST(Payload, Forms) {
  expect_packet("payload", "");
  expect_packet("payload(len=3)", "000000");
  expect_packet("payload(hex=0xDEADbeef)", "deadbeef");
  expect_packet("payload(hex=0102, len=5)", "0102010201");  // repeated
  expect_packet("payload(hex=deadbeef, len=2)", "dead");    // cut
  expect_packet("payload(text=\"a, b)\")", "612c206229");   // quoted: spaces, ',' and ')'
  expect_packet(R"(payload(text="q\"\\\n\r\t\0\x41"))", "71 22 5c 0a 0d 09 00 41");
  expect_packet("payload(text=ab, len=5)", "6162616261");
  expect_packet("payload(text=\"\", len=2)", "0000");
  expect_packet("payload(hex=01)/payload(text=A)/payload(fill=0xff, len=2)", "01 41 ffff");
}

// ---- checksums --------------------------------------------------------------------

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i < n; ++i)
    sum += (i % 2 == 0) ? p[i] << 8 : p[i];
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// Sums the whole packet as received: a valid IPv4 header and a valid L4
// segment (with its pseudo-header) each sum to 0xffff.
void expect_checksums_verify(std::string_view spec) {
  SCOPED_TRACE(std::string(spec));
  const bytes p = bpfkit::build_packet(spec);
  const std::uint8_t* ip = p.data() + 14;
  const bool v4 = (ip[0] >> 4) == 4;
  std::uint32_t pseudo;
  const std::uint8_t* l4;
  std::uint8_t proto;
  if (v4) {
    EXPECT_EQ(fold(sum16(ip, 20)), 0xffff) << "IPv4 header checksum";
    proto = ip[9];
    l4 = ip + 20;
    pseudo = sum16(ip + 12, 8);
  } else {
    proto = ip[6];
    l4 = ip + 40;
    pseudo = sum16(ip + 8, 32);
  }
  const std::size_t l4_len = p.size() - static_cast<std::size_t>(l4 - p.data());
  pseudo += proto + (l4_len & 0xffff) + (l4_len >> 16);
  if (v4 && proto == 1)
    pseudo = 0;  // ICMPv4 has no pseudo-header
  EXPECT_EQ(fold(sum16(l4, l4_len, pseudo)), 0xffff) << "L4 checksum, protocol " << int(proto);
}

TEST(Checksum, RecomputedChecksumsVerify) {
  for (const char* l4 : {"udp", "tcp(flags=FIN|PSH|ACK, seq=123456789)", "icmp(type=0)"})
    for (const char* payload : {"", "/payload(len=1, fill=0xff)", "/payload(text=hello)",
                                "/payload(hex=ffffffffffffffffff, len=1001)"})
      expect_checksums_verify("eth/ipv4(src=198.51.100.7, dst=203.0.113.200, ttl=3)/" +
                              std::string(l4) + payload);
  for (const char* l4 : {"udp(sport=65535)", "tcp(ack=1, flags=ACK)", "icmp6(type=129)"})
    for (const char* payload : {"", "/payload(len=1, fill=0xff)", "/payload(text=hello)"})
      expect_checksums_verify("eth/ipv6(src=2001:db8:ffff::1, dst=fe80::1:2:3:4)/" +
                              std::string(l4) + payload);
}

TEST(Checksum, ComputedZeroUdpChecksumIsSentAsFfff) {
  // With sport=1000 the checksum is 0xe7be; adding 0xe7be to sport makes
  // the one's complement sum 0xffff and the computed checksum 0.
  const bytes p = bpfkit::build_packet("eth/ipv4/udp(sport=60326)");
  EXPECT_EQ(hex_slice(p, p.size() - 2), "ffff");
}

TEST(Checksum, QinQDoesNotChangeL3Bytes) {
  const bytes plain = bpfkit::build_packet("eth/ipv4/tcp/payload(text=x)");
  const bytes tagged = bpfkit::build_packet("eth/vlan(id=5)/vlan(id=6)/ipv4/tcp/payload(text=x)");
  EXPECT_EQ(hex_slice(plain, 14), hex_slice(tagged, 22));
}

// ---- explicit values ------------------------------------------------------------

TEST(Override, LengthsAndChecksumsAreWrittenAsGiven) {
  expect_packet("eth/ipv4(len=1000, csum=0xbeef)/udp(len=3, csum=0)",
                "020000000002 020000000001 0800"
                "45 00 03e8 0000 4000 40 11 beef 0a000001 0a000002"
                "03e8 0035 0003 0000");
  expect_packet("ipv6(plen=7, nh=0)/tcp(csum=0x1234)",
                "60000000 0007 00 40 fd000000000000000000000000000001"
                "fd000000000000000000000000000002"
                "03e8 0050 00000000 00000000 50 02 ffff 1234 0000");
  expect_packet("ipv4/icmp(csum=0xffff, type=0)/payload(len=0)",
                "45 00 001c 0000 4000 40 01 26df 0a000001 0a000002"
                "00 00 ffff 0000 0000");
}

TEST(Override, TypeProtoAndFragmentFields) {
  expect_packet("eth(type=0x0806)/ipv4(proto=99, df=0, mf=1, frag=0x1fff)",
                "020000000002 020000000001 0806"
                "45 00 0014 0000 3fff 40 63 2686 0a000001 0a000002");
  const bytes p = bpfkit::build_packet("ipv4/tcp(flags=0xff)");
  EXPECT_EQ(p[20 + 13], 0xff);
  EXPECT_EQ(bpfkit::build_packet("ipv4/tcp(flags=syn|Ack)"),
            bpfkit::build_packet("ipv4/tcp(flags=SYN|ACK)"));
}

// ---- errors -------------------------------------------------------------------------

struct error_case {
  const char* name;  // the test's name
  const char* spec;
  std::size_t position;
  const char* message;
};

class Errors : public testing::TestWithParam<error_case> {};

TEST_P(Errors, NameTheLayerTokenColumnAndChoices) {
  const error_case& c = GetParam();
  try {
    bpfkit::build_packet(c.spec);
    FAIL() << "no error for '" << c.spec << "'";
  } catch (const bpfkit::packet_spec_error& e) {
    EXPECT_EQ(std::string(e.what()), std::string("packet spec: ") + c.message);
    EXPECT_EQ(e.position(), c.position);
    // The column in the message is position() + 1.
    EXPECT_NE(std::string(e.what()).find("column " + std::to_string(c.position + 1)),
              std::string::npos);
  }
}

const error_case error_cases[] = {
    // Names.
    {"unknown_layer", "eth/ipv4/udpp", 9,
     "unknown layer 'udpp' at column 10; layers: eth, vlan, ipv4, ipv6, udp, tcp, icmp, icmp6, "
     "payload (icmpv6 = icmp6)"},
    {"unknown_field", "eth/ipv4/udp(prt=1)", 13,
     "unknown field 'prt' in udp(...) at column 14; udp fields: sport, dport, len, csum"},
    {"duplicate_field", "eth/ipv4(ttl=1, ttl=2)", 16,
     "ipv4 field 'ttl' at column 17 is already given at column 10; give each field once"},
    // Values.
    {"bad_number", "eth/ipv4(ttl=x1)", 13,
     "bad value 'x1' for ipv4 field 'ttl' at column 14; expected a number from 0 to 255 "
     "(decimal or 0x hex)"},
    {"negative_number", "eth/ipv4(ttl=-1)", 13,
     "bad value '-1' for ipv4 field 'ttl' at column 14; expected a number from 0 to 255 "
     "(decimal or 0x hex)"},
    {"empty_hex_number", "eth/ipv4(ttl=0x)", 13,
     "bad value '0x' for ipv4 field 'ttl' at column 14; expected a number from 0 to 255 "
     "(decimal or 0x hex)"},
    {"out_of_range_8bit", "eth/ipv4(ttl=256)", 13,
     "value 256 for ipv4 field 'ttl' at column 14 is out of range; expected 0 to 255"},
    {"out_of_range_vlan_id", "eth/vlan(id=0x1000)", 12,
     "value 0x1000 for vlan field 'id' at column 13 is out of range; expected 0 to 4095"},
    {"out_of_range_64bit", "ipv4/udp(sport=99999999999999999999999)", 15,
     "value 99999999999999999999999 for udp field 'sport' at column 16 is out of range; "
     "expected 0 to 65535"},
    {"bad_mac", "eth(src=aa:bb:cc)", 8,
     "bad value 'aa:bb:cc' for eth field 'src' at column 9; expected a MAC address like "
     "02:00:00:00:00:01"},
    {"mac_with_dashes", "eth(dst=aa-bb-cc-dd-ee-ff)", 8,
     "bad value 'aa-bb-cc-dd-ee-ff' for eth field 'dst' at column 9; expected a MAC address "
     "like 02:00:00:00:00:01"},
    {"bad_ipv4", "ipv4(src=10.0.0.256)", 9,
     "bad value '10.0.0.256' for ipv4 field 'src' at column 10; expected an IPv4 address like "
     "10.0.0.1"},
    {"bad_ipv6", "ipv6(dst=fd00::zz)", 9,
     "bad value 'fd00::zz' for ipv6 field 'dst' at column 10; expected an IPv6 address like "
     "fd00::1"},
    {"bad_tcp_flag", "ipv4/tcp(flags=SYN|SNY)", 19,
     "unknown TCP flag 'SNY' in tcp field 'flags' at column 20; flags: FIN, SYN, RST, PSH, ACK, "
     "URG, ECE, CWR, joined with '|', or a number"},
    {"odd_hex", "payload(hex=abc)", 12,
     "bad value 'abc' for payload field 'hex' at column 13; expected an even number of hex "
     "digits like deadbeef"},
    {"bad_escape", "payload(text=\"a\\qb\")", 15,
     "bad escape '\\q' in payload field 'text' at column 16; escapes: \\\\ \\\" \\n \\r \\t \\0 "
     "\\xHH"},
    {"unterminated_string", "payload(text=\"open)", 13,
     "unterminated string for payload field 'text' opened at column 14; close it with '\"'"},
    {"payload_conflict", "payload(hex=00, text=a)", 16,
     "payload field 'text' at column 17 conflicts with 'hex'; give only one of hex, text, fill"},
    {"fill_without_len", "payload(fill=1)", 8,
     "payload field 'fill' at column 9 needs a len, e.g. payload(fill=0xff, len=32)"},
    // Syntax.
    {"missing_paren_at_end", "eth/ipv4/udp(sport=1", 20,
     "missing ')' to close udp( opened at column 13: found the end of the spec at column 21; "
     "expected ',' or ')'"},
    {"missing_comma", "eth/ipv4/udp(sport=1 dport=2)", 21,
     "missing ')' to close udp( opened at column 13: found 'dport' at column 22; expected ',' "
     "or ')'"},
    {"missing_paren_before_slash", "eth/ipv4/udp(sport=1/payload", 20,
     "missing ')' to close udp( opened at column 13: found '/' at column 21; expected ',' or "
     "')'"},
    {"missing_equals", "eth/ipv4/udp(sport)", 18,
     "expected '=' after udp field 'sport' at column 19, found ')'; write sport=<value>"},
    {"missing_value", "eth/ipv4/udp(sport=)", 19,
     "missing value for udp field 'sport' at column 20, found ')'; expected a number from 0 to "
     "65535 (decimal or 0x hex)"},
    {"trailing_comma", "eth/ipv4/udp(sport=1,)", 21,
     "expected a field name in udp(...) at column 22, found ')'; udp fields: sport, dport, len, "
     "csum"},
    {"trailing_paren", "eth/ipv4/udp)", 12,
     "unexpected ')' at column 13 after udp; expected '/' and a layer, or the end of the spec"},
    {"trailing_word", "eth/ipv4 udp", 9,
     "unexpected 'udp' at column 10 after ipv4; expected '/' and a layer, or the end of the "
     "spec"},
    {"trailing_slash", "eth/ipv4/udp/", 13,
     "expected a layer name at column 14, found the end of the spec; layers: eth, vlan, ipv4, "
     "ipv6, udp, tcp, icmp, icmp6, payload"},
    {"control_byte_is_escaped", "eth\x01", 3,
     "unexpected '\\x01' at column 4 after eth; expected '/' and a layer, or the end of the "
     "spec"},
    {"empty_layer", "eth//udp", 4,
     "expected a layer name at column 5, found '/'; layers: eth, vlan, ipv4, ipv6, udp, tcp, "
     "icmp, icmp6, payload"},
    {"empty_spec", "", 0,
     "the spec is empty: expected a layer name at column 1, e.g. eth/ipv4/udp; layers: eth, "
     "vlan, ipv4, ipv6, udp, tcp, icmp, icmp6, payload"},
    {"blank_spec", "   ", 3,
     "the spec is empty: expected a layer name at column 4, e.g. eth/ipv4/udp; layers: eth, "
     "vlan, ipv4, ipv6, udp, tcp, icmp, icmp6, payload"},
    // Layer order.
    {"udp_first", "udp", 0, "udp at column 1 must follow ipv4 or ipv6, but comes first"},
    {"udp_without_ip", "eth/udp", 4, "udp at column 5 must follow ipv4 or ipv6, but follows eth"},
    {"tcp_after_vlan", "eth/vlan/tcp", 9,
     "tcp at column 10 must follow ipv4 or ipv6, but follows vlan"},
    {"icmp_under_ipv6", "eth/ipv6/icmp", 9,
     "icmp at column 10 must follow ipv4, but follows ipv6; under ipv6 use icmp6"},
    {"icmp6_under_ipv4", "eth/ipv4/icmpv6", 9,
     "icmp6 at column 10 must follow ipv6, but follows ipv4; under ipv4 use icmp"},
    {"vlan_after_ip", "ipv4/vlan", 5, "vlan at column 6 must follow eth or vlan, but follows ipv4"},
    {"eth_not_first", "eth/ipv4/eth", 9, "eth at column 10 must come first, but follows ipv4"},
    {"ip_after_udp", "eth/ipv4/udp/ipv4", 13,
     "ipv4 at column 14 must come first or follow eth, vlan, ipv4 or ipv6, but follows udp"},
    {"tcp_after_payload", "ipv4/udp/payload/tcp", 17,
     "tcp at column 18 must follow ipv4 or ipv6, but follows payload"},
    // Computed lengths that do not fit.
    {"ipv4_too_long", "ipv4/payload(len=65535)", 0,
     "ipv4 at column 1: the computed len 65555 does not fit in 16 bits; make the payload "
     "shorter or give len= explicitly"},
    {"udp_too_long", "ipv6/udp/payload(len=65530)", 5,
     "udp at column 6: the computed len 65538 does not fit in 16 bits; make the payload shorter "
     "or give len= explicitly"},
};

INSTANTIATE_TEST_SUITE_P(Spec, Errors, testing::ValuesIn(error_cases),
                         [](const testing::TestParamInfo<error_case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Errors, AreInvalidArgument) {
  EXPECT_THROW(bpfkit::build_packet("bogus"), std::invalid_argument);
}

// ---- size and time (issue 9 item 11) --------------------------------------------

// An Ethernet header (14 bytes) and n payload layers of `len` bytes each
// (no IP or UDP: their 16-bit lengths could not cover megabytes).
std::string many_payloads(std::size_t n, unsigned len) {
  std::string spec = "eth";
  for (std::size_t i = 0; i < n; ++i) spec += "/payload(len=" + std::to_string(len) + ", fill=" + std::to_string(i % 256) + ")";
  return spec;
}

TEST(Size, ManyLayersBuildInLinearTime) {
  // Prepending each layer to a vector copied the rest each time: 2,000
  // payloads of 1,000 bytes took over 30 s. Linear, this is milliseconds;
  // the bound leaves a busy CI machine two orders of magnitude.
  const auto start = std::chrono::steady_clock::now();
  const bytes p = bpfkit::build_packet(many_payloads(2000, 1000));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0);
  ASSERT_EQ(p.size(), 14u + 2000u * 1000u);
  // Every payload in its place.
  for (std::size_t i = 0; i < 2000; i += 499) EXPECT_EQ(p[14 + i * 1000], i % 256) << "payload " << i;
  EXPECT_EQ(p.back(), 1999 % 256);
}

TEST(Size, PacketsAreBoundedTo16MiB) {
  // 300 payloads of 65,535 bytes: 19.7 MB asked for, refused before it is built.
  try {
    bpfkit::build_packet(many_payloads(300, 65535));
    FAIL() << "a 19 MB packet was built";
  } catch (const bpfkit::packet_spec_error& e) {
    EXPECT_NE(std::string(e.what()).find("the packet would be larger than 16777216 bytes (16 MiB) from the payload layer at column "),
              std::string::npos)
        << e.what();
  }
  // Just under the bound is built.
  EXPECT_EQ(bpfkit::build_packet(many_payloads(255, 65535)).size(), 14u + 255u * 65535u);
}

}  // namespace
