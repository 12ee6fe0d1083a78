// Tokenizer and parser of packet specs (grammar in bpfkit/packet.hpp).
//
// Every user mistake is reported here, with the column of the offending
// token, because only the parser still knows where things were written.
#include "packet_internal.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace bpfkit::packet_detail {

std::string at_column(std::size_t pos) { return "at column " + std::to_string(pos + 1); }

void fail(std::size_t pos, const std::string& message) {
  throw packet_spec_error("packet spec: " + message, pos);
}

const field* layer::find(std::string_view field_name) const {
  for (const field& f : fields)
    if (f.name == field_name)
      return &f;
  return nullptr;
}

std::uint64_t layer::number(std::string_view field_name, std::uint64_t fallback) const {
  const field* f = find(field_name);
  return f ? f->number : fallback;
}

std::vector<std::uint8_t> layer::bytes(std::string_view field_name,
                                       std::vector<std::uint8_t> fallback) const {
  const field* f = find(field_name);
  return f ? f->bytes : fallback;
}

namespace {

// A token as it may appear in a one-line message: control and non-ASCII
// bytes are shown as \xHH (a NUL would even cut what() short).
std::string printable(std::string_view token) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : token) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

// ---- tables -----------------------------------------------------------------

enum class value_kind { number, mac_addr, ipv4_addr, ipv6_addr, tcp_flags, hex_bytes, text };

struct field_def {
  std::string_view name;
  value_kind kind;
  unsigned bits = 0;  // width of a number field, for range checks
};

// Which layers a layer may follow; `first` allows it at the start of a spec.
struct order_rule {
  bool first;
  std::vector<layer_kind> after;
  // A hint for the likely mix-up: shown when the layer follows `hint_after`.
  std::vector<layer_kind> hint_after = {};
  std::string hint = {};
};

struct layer_def {
  std::string_view name;
  layer_kind kind;
  std::vector<field_def> fields;
  order_rule order;
};

using enum value_kind;
using enum layer_kind;

const std::vector<layer_def> layer_table = {
    {"eth", eth, {{"src", mac_addr}, {"dst", mac_addr}, {"type", number, 16}}, {true, {}}},
    {"vlan",
     vlan,
     {{"id", number, 12}, {"pcp", number, 3}, {"dei", number, 1}, {"type", number, 16}},
     {false, {eth, vlan}}},
    {"ipv4",
     ipv4,
     {{"src", ipv4_addr},
      {"dst", ipv4_addr},
      {"ttl", number, 8},
      {"tos", number, 8},
      {"id", number, 16},
      {"df", number, 1},
      {"mf", number, 1},
      {"frag", number, 13},
      {"proto", number, 8},
      {"len", number, 16},
      {"csum", number, 16}},
     {true, {eth, vlan, ipv4, ipv6}}},
    {"ipv6",
     ipv6,
     {{"src", ipv6_addr},
      {"dst", ipv6_addr},
      {"hlim", number, 8},
      {"tc", number, 8},
      {"flow", number, 20},
      {"nh", number, 8},
      {"plen", number, 16}},
     {true, {eth, vlan, ipv4, ipv6}}},
    {"udp",
     udp,
     {{"sport", number, 16}, {"dport", number, 16}, {"len", number, 16}, {"csum", number, 16}},
     {false, {ipv4, ipv6}}},
    {"tcp",
     tcp,
     {{"sport", number, 16},
      {"dport", number, 16},
      {"seq", number, 32},
      {"ack", number, 32},
      {"flags", tcp_flags, 8},
      {"win", number, 16},
      {"csum", number, 16}},
     {false, {ipv4, ipv6}}},
    {"icmp",
     icmp,
     {{"type", number, 8},
      {"code", number, 8},
      {"id", number, 16},
      {"seq", number, 16},
      {"csum", number, 16}},
     {false, {ipv4}, {ipv6}, "; under ipv6 use icmp6"}},
    {"icmp6",
     icmp6,
     {{"type", number, 8},
      {"code", number, 8},
      {"id", number, 16},
      {"seq", number, 16},
      {"csum", number, 16}},
     {false, {ipv6}, {ipv4}, "; under ipv4 use icmp"}},
    {"payload",
     payload,
     {{"hex", hex_bytes}, {"text", text}, {"fill", number, 8}, {"len", number, 16}},
     {true, {eth, vlan, ipv4, ipv6, udp, tcp, icmp, icmp6, payload}}},
};

constexpr std::array<std::pair<std::string_view, std::string_view>, 1> layer_aliases = {{
    {"icmpv6", "icmp6"},
}};

// TCP flag bits in header order, lowest first.
constexpr std::array<std::string_view, 8> tcp_flag_names = {"FIN", "SYN", "RST", "PSH",
                                                            "ACK", "URG", "ECE", "CWR"};

const layer_def& def_of(layer_kind kind) {
  return *std::find_if(layer_table.begin(), layer_table.end(),
                       [&](const layer_def& d) { return d.kind == kind; });
}

template <typename Range, typename Name>
std::string join(const Range& items, Name name, std::string_view last_sep = ", ") {
  std::string out;
  std::size_t i = 0, n = std::size(items);
  for (const auto& item : items) {
    if (i > 0)
      out += (i + 1 == n) ? last_sep : std::string_view(", ");
    out += name(item);
    ++i;
  }
  return out;
}

std::string layer_list() {
  return join(layer_table, [](const layer_def& d) { return d.name; });
}

std::string field_list(const layer_def& def) {
  return join(def.fields, [](const field_def& f) { return f.name; });
}

// ---- values -----------------------------------------------------------------

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

std::string describe(value_kind kind, unsigned bits) {
  switch (kind) {
  case number:
    return "a number from 0 to " + std::to_string((std::uint64_t{1} << bits) - 1) +
           " (decimal or 0x hex)";
  case mac_addr: return "a MAC address like 02:00:00:00:00:01";
  case ipv4_addr: return "an IPv4 address like 10.0.0.1";
  case ipv6_addr: return "an IPv6 address like fd00::1";
  case tcp_flags:
    return "TCP flags joined with '|' (" + join(tcp_flag_names, [](auto n) { return n; }) +
           ") or a number from 0 to 255";
  case hex_bytes: return "an even number of hex digits like deadbeef";
  case text: return "a string, \"quoted\" if it holds spaces or any of , ( ) / =";
  }
  return {};
}

enum class parse_status { ok, bad, overflow };

parse_status parse_uint(std::string_view s, std::uint64_t& out) {
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty())
    return parse_status::bad;
  std::uint64_t value = 0;
  bool overflow = false;
  for (char c : s) {
    unsigned digit;
    if (base == 16 && is_hex(c))
      digit = static_cast<unsigned>(hex_value(c));
    else if (c >= '0' && c <= '9')
      digit = static_cast<unsigned>(c - '0');
    else
      return parse_status::bad;
    if (value > (UINT64_MAX - digit) / base)
      overflow = true;
    value = value * base + digit;
  }
  out = value;
  return overflow ? parse_status::overflow : parse_status::ok;
}

// Where a value is being converted, for the messages.
struct value_site {
  const layer_def& layer;
  const field_def& field;
  std::string_view raw;  // the token as written, quotes included
  std::size_t pos;       // offset of the token

  [[noreturn]] void bad() const {
    fail(pos, "bad value '" + printable(raw) + "' for " + std::string(layer.name) + " field '" +
                  std::string(field.name) + "' " + at_column(pos) + "; expected " +
                  describe(field.kind, field.bits));
  }
};

std::uint64_t convert_number(const value_site& site, std::string_view s, unsigned bits) {
  std::uint64_t value = 0;
  parse_status status = parse_uint(s, value);
  if (status == parse_status::bad)
    site.bad();
  const std::uint64_t max = (std::uint64_t{1} << bits) - 1;
  if (status == parse_status::overflow || value > max)
    fail(site.pos, "value " + printable(site.raw) + " for " + std::string(site.layer.name) +
                       " field '" + std::string(site.field.name) + "' " + at_column(site.pos) +
                       " is out of range; expected 0 to " + std::to_string(max));
  return value;
}

std::vector<std::uint8_t> convert_mac(const value_site& site) {
  // Exactly six two-digit groups: a shorter form is more likely a typo than
  // an abbreviation.
  std::string_view s = site.raw;
  if (s.size() != 17)
    site.bad();
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < 17; i += 3) {
    if (!is_hex(s[i]) || !is_hex(s[i + 1]) || (i + 2 < 17 && s[i + 2] != ':'))
      site.bad();
    out.push_back(static_cast<std::uint8_t>(hex_value(s[i]) * 16 + hex_value(s[i + 1])));
  }
  return out;
}

std::vector<std::uint8_t> convert_ip(const value_site& site, int family) {
  std::array<std::uint8_t, 16> addr{};
  const std::string text(site.raw);
  if (inet_pton(family, text.c_str(), addr.data()) != 1)
    site.bad();
  return {addr.begin(), addr.begin() + (family == AF_INET ? 4 : 16)};
}

std::uint64_t convert_tcp_flags(const value_site& site) {
  if (!site.raw.empty() && std::isdigit(static_cast<unsigned char>(site.raw[0])))
    return convert_number(site, site.raw, site.field.bits);
  std::uint64_t flags = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = site.raw.find('|', start);
    const std::string_view name = site.raw.substr(start, bar - start);
    const auto it = std::find_if(tcp_flag_names.begin(), tcp_flag_names.end(), [&](auto flag) {
      return std::equal(flag.begin(), flag.end(), name.begin(), name.end(), [](char a, char b) {
        return a == std::toupper(static_cast<unsigned char>(b));
      });
    });
    if (it == tcp_flag_names.end())
      fail(site.pos + start, "unknown TCP flag '" + printable(name) + "' in tcp field 'flags' " +
                                 at_column(site.pos + start) +
                                 "; flags: " + join(tcp_flag_names, [](auto n) { return n; }) +
                                 ", joined with '|', or a number");
    flags |= std::uint64_t{1} << (it - tcp_flag_names.begin());
    if (bar == std::string_view::npos)
      return flags;
    start = bar + 1;
  }
}

std::vector<std::uint8_t> convert_hex(const value_site& site) {
  std::string_view s = site.raw;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s.remove_prefix(2);
  if (s.empty() || s.size() % 2 != 0 || !std::all_of(s.begin(), s.end(), is_hex))
    site.bad();
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(hex_value(s[i]) * 16 + hex_value(s[i + 1])));
  return out;
}

std::vector<std::uint8_t> convert_text(const value_site& site) {
  std::string_view s = site.raw;
  if (s.empty() || s[0] != '"')
    return {s.begin(), s.end()};
  // Quoted: the tokenizer guarantees the closing quote.
  std::vector<std::uint8_t> out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(static_cast<std::uint8_t>(s[i]));
      continue;
    }
    const std::size_t esc = i++;
    switch (s[i]) {
    case '\\': out.push_back('\\'); break;
    case '"': out.push_back('"'); break;
    case 'n': out.push_back('\n'); break;
    case 'r': out.push_back('\r'); break;
    case 't': out.push_back('\t'); break;
    case '0': out.push_back('\0'); break;
    case 'x':
      if (i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
        out.push_back(static_cast<std::uint8_t>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
        i += 2;
        break;
      }
      [[fallthrough]];
    default:
      fail(site.pos + esc, "bad escape '" + printable(s.substr(esc, 2)) +
                               "' in payload field 'text' " + at_column(site.pos + esc) +
                               "; escapes: \\\\ \\\" \\n \\r \\t \\0 \\xHH");
    }
  }
  return out;
}

field convert(const value_site& site) {
  field f;
  f.name = site.field.name;
  switch (site.field.kind) {
  case number: f.number = convert_number(site, site.raw, site.field.bits); break;
  case mac_addr: f.bytes = convert_mac(site); break;
  case ipv4_addr: f.bytes = convert_ip(site, AF_INET); break;
  case ipv6_addr: f.bytes = convert_ip(site, AF_INET6); break;
  case tcp_flags: f.number = convert_tcp_flags(site); break;
  case hex_bytes: f.bytes = convert_hex(site); break;
  case text: f.bytes = convert_text(site); break;
  }
  return f;
}

// ---- tokenizer ----------------------------------------------------------------

class cursor {
public:
  explicit cursor(std::string_view spec) : s_(spec) {}

  std::size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  void advance() { ++pos_; }

  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }

  // [A-Za-z0-9_]*: layer and field names.
  std::string_view word() {
    const std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // A "quoted string" (with \ escapes), or everything up to a space or one
  // of the spec's punctuation characters. Empty when there is no value.
  std::string_view value(std::string_view layer_name, std::string_view field_name) {
    const std::size_t start = pos_;
    if (peek() == '"') {
      for (++pos_; !at_end() && s_[pos_] != '"'; ++pos_)
        if (s_[pos_] == '\\')
          ++pos_;
      if (at_end())
        fail(start, "unterminated string for " + std::string(layer_name) + " field '" +
                        std::string(field_name) + "' opened " + at_column(start) +
                        "; close it with '\"'");
      ++pos_;
    } else {
      while (!at_end() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
             std::string_view(",()/=").find(s_[pos_]) == std::string_view::npos)
        ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  // The token at `pos`, for "found ..." in messages.
  std::string found() const {
    if (at_end())
      return "the end of the spec";
    cursor c = *this;
    std::string_view w = c.word();
    return "'" + printable(w.empty() ? s_.substr(pos_, 1) : w) + "'";
  }

private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---- parser -------------------------------------------------------------------

const layer_def& lookup_layer(std::string_view name, std::size_t pos) {
  for (const auto& [alias, canonical] : layer_aliases)
    if (name == alias)
      name = canonical;
  for (const layer_def& def : layer_table)
    if (def.name == name)
      return def;
  fail(pos, "unknown layer '" + std::string(name) + "' " + at_column(pos) +
                "; layers: " + layer_list() + " (icmpv6 = icmp6)");
}

void check_order(const layer_def& def, std::size_t pos, const layer* previous) {
  const order_rule& rule = def.order;
  if (previous == nullptr
          ? rule.first
          : std::find(rule.after.begin(), rule.after.end(), previous->kind) != rule.after.end())
    return;
  const auto name_of = [](layer_kind k) { return def_of(k).name; };
  std::string allowed = rule.first ? "come first" : "";
  if (!rule.after.empty())
    allowed += (rule.first ? " or follow " : "follow ") + join(rule.after, name_of, " or ");
  const bool hinted = previous && std::find(rule.hint_after.begin(), rule.hint_after.end(),
                                            previous->kind) != rule.hint_after.end();
  fail(pos, std::string(def.name) + " " + at_column(pos) + " must " + allowed + ", but " +
                (previous ? "follows " + std::string(previous->name) : "comes first") +
                (hinted ? rule.hint : ""));
}

void parse_fields(cursor& c, const layer_def& def, layer& out) {
  const std::size_t open = c.pos();
  c.advance();  // '('
  c.skip_space();
  if (c.peek() == ')') {
    c.advance();
    return;
  }
  const std::string layer_name(def.name);
  while (true) {
    c.skip_space();
    const std::size_t name_pos = c.pos();
    const std::string_view name = c.word();
    if (name.empty())
      fail(name_pos, "expected a field name in " + layer_name + "(...) " + at_column(name_pos) +
                         ", found " + c.found() + "; " + layer_name +
                         " fields: " + field_list(def));
    const auto fdef = std::find_if(def.fields.begin(), def.fields.end(),
                                   [&](const field_def& f) { return f.name == name; });
    if (fdef == def.fields.end())
      fail(name_pos, "unknown field '" + std::string(name) + "' in " + layer_name + "(...) " +
                         at_column(name_pos) + "; " + layer_name + " fields: " + field_list(def));
    if (const field* earlier = out.find(name))
      fail(name_pos, layer_name + " field '" + std::string(name) + "' " + at_column(name_pos) +
                         " is already given " + at_column(earlier->pos) + "; give each field once");
    c.skip_space();
    if (c.peek() != '=')
      fail(c.pos(), "expected '=' after " + layer_name + " field '" + std::string(name) + "' " +
                        at_column(c.pos()) + ", found " + c.found() + "; write " +
                        std::string(name) + "=<value>");
    c.advance();
    c.skip_space();
    const std::size_t value_pos = c.pos();
    const std::string_view raw = c.value(def.name, name);
    if (raw.empty())
      fail(value_pos, "missing value for " + layer_name + " field '" + std::string(name) + "' " +
                          at_column(value_pos) + ", found " + c.found() + "; expected " +
                          describe(fdef->kind, fdef->bits));
    field f = convert(value_site{def, *fdef, raw, value_pos});
    f.pos = name_pos;
    out.fields.push_back(std::move(f));
    c.skip_space();
    if (c.peek() == ',') {
      c.advance();
      continue;
    }
    if (c.peek() == ')') {
      c.advance();
      return;
    }
    fail(c.pos(), "missing ')' to close " + layer_name + "( opened " + at_column(open) +
                      ": found " + c.found() + " " + at_column(c.pos()) + "; expected ',' or ')'");
  }
}

// payload's fields depend on each other.
void check_payload(const layer& l) {
  const field* content = nullptr;
  for (const field& f : l.fields) {
    if (f.name == "len")
      continue;
    if (content)
      fail(f.pos, "payload field '" + std::string(f.name) + "' " + at_column(f.pos) +
                      " conflicts with '" + std::string(content->name) +
                      "'; give only one of hex, text, fill");
    content = &f;
  }
  if (content && content->name == "fill" && !l.find("len"))
    fail(content->pos, "payload field 'fill' " + at_column(content->pos) +
                           " needs a len, e.g. payload(fill=0xff, len=32)");
}

}  // namespace

std::vector<layer> parse_spec(std::string_view spec) {
  cursor c(spec);
  c.skip_space();
  if (c.at_end())
    fail(c.pos(), "the spec is empty: expected a layer name " + at_column(c.pos()) +
                      ", e.g. eth/ipv4/udp; layers: " + layer_list());
  std::vector<layer> layers;
  while (true) {
    c.skip_space();
    const std::size_t pos = c.pos();
    const std::string_view name = c.word();
    if (name.empty())
      fail(pos, "expected a layer name " + at_column(pos) + ", found " + c.found() +
                    "; layers: " + layer_list());
    const layer_def& def = lookup_layer(name, pos);
    check_order(def, pos, layers.empty() ? nullptr : &layers.back());
    layer l{def.kind, def.name, pos, {}};
    c.skip_space();
    if (c.peek() == '(')
      parse_fields(c, def, l);
    if (l.kind == layer_kind::payload)
      check_payload(l);
    layers.push_back(std::move(l));

    c.skip_space();
    if (c.at_end())
      return layers;
    if (c.peek() != '/')
      fail(c.pos(), "unexpected " + c.found() + " " + at_column(c.pos()) + " after " +
                        std::string(def.name) +
                        "; expected '/' and a layer, or the end of the spec");
    c.advance();
  }
}

}  // namespace bpfkit::packet_detail
