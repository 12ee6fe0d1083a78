#include "parser.hpp"

#include <charconv>

#include "failure.hpp"
#include "lexer.hpp"

namespace bpfkit::btf_text_detail {
namespace {

// Deep enough for any real type; bounded so hostile input cannot overflow
// the stack.
constexpr int max_depth = 64;

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

node number(const token& t) {
  node n;
  n.offset = t.offset;
  n.found = std::string(t.text);
  std::string_view s = t.text;
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  auto malformed = [&]() -> node { fail_at(t.offset, "malformed number " + n.found); };

  unsigned base = 10;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
  } else if (s.size() > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
  } else if (s.find_first_of(".eE") != std::string_view::npos) {
    n.k = node::kind::floating;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n.real);
    if (ec != std::errc() || end != t.text.data() + t.text.size()) malformed();
    return n;
  }
  if (base != 10) s.remove_prefix(2);
  if (s.empty()) malformed();
  if (base == 10 && s.size() > 1 && s[0] == '0') {
    fail_at(t.offset, "ambiguous number " + n.found +
                          ": a leading 0 means octal in C; write it in decimal without the 0, or as 0x...");
  }
  u128 value = 0;
  for (char c : s) {
    unsigned d = static_cast<unsigned>(digit_value(c));
    if (d >= base) malformed();
    if (value > (~u128{0} - d) / base) fail_at(t.offset, "number " + n.found + " is too large");
    value = value * base + d;
  }
  n.integer = {negative, value};
  n.hex = base == 16;
  n.digits = s.size();
  return n;
}

class parser {
 public:
  explicit parser(std::string_view text) : lex_(text) {}

  node value(int depth = 0) {
    if (depth > max_depth) fail_at(lex_.peek().offset, "values are nested too deeply");
    token t = lex_.next();
    switch (t.kind) {
      case token_kind::number:
        return number(t);
      case token_kind::character: {
        node n;
        n.offset = t.offset;
        n.found = std::string(t.text);
        n.is_char = true;
        n.integer = {false, static_cast<unsigned char>(t.value[0])};
        return n;
      }
      case token_kind::string: {
        node n;
        n.k = node::kind::string;
        n.offset = t.offset;
        n.found = std::string(t.text);
        n.str = std::move(t.value);
        return n;
      }
      case token_kind::identifier: {
        node n;
        n.k = node::kind::identifier;
        n.offset = t.offset;
        n.found = "'" + std::string(t.text) + "'";
        n.str = std::string(t.text);
        return n;
      }
      case token_kind::lbrace:
        return object(t.offset, depth);
      case token_kind::lbracket:
        return list(t.offset, depth);
      default:
        fail_at(t.offset, "expected a value, found " + describe(t));
    }
  }

  void expect_end() {
    const token& t = lex_.peek();
    if (t.kind != token_kind::end) fail_at(t.offset, "expected end of text after the value, found " + describe(t));
  }

  std::size_t consumed() const { return lex_.consumed(); }

 private:
  // {name=value, ...}: names are checked against the type later.
  node object(std::size_t offset, int depth) {
    node n;
    n.k = node::kind::object;
    n.offset = offset;
    n.found = "{...}";
    for (;;) {
      token t = lex_.next();
      if (t.kind == token_kind::rbrace) return n;
      if (t.kind == token_kind::dot) t = lex_.next();  // C's .field=value
      if (t.kind != token_kind::identifier || t.text == "-inf") {
        fail_at(t.offset, "expected a field name, found " + describe(t));
      }
      field f;
      f.name = std::string(t.text);
      f.offset = t.offset;
      token eq = lex_.next();
      if (eq.kind != token_kind::equals) {
        fail_at(eq.offset, "expected '=' after field name '" + f.name + "', found " + describe(eq));
      }
      f.value = value(depth + 1);
      n.fields.push_back(std::move(f));
      token sep = lex_.next();
      if (sep.kind == token_kind::rbrace) return n;
      if (sep.kind != token_kind::comma) fail_at(sep.offset, "expected ',' or '}', found " + describe(sep));
    }
  }

  node list(std::size_t offset, int depth) {
    node n;
    n.k = node::kind::list;
    n.offset = offset;
    n.found = "[...]";
    for (;;) {
      if (lex_.peek().kind == token_kind::rbracket) {
        lex_.next();
        return n;
      }
      n.items.push_back(value(depth + 1));
      token sep = lex_.next();
      if (sep.kind == token_kind::rbracket) return n;
      if (sep.kind != token_kind::comma) fail_at(sep.offset, "expected ',' or ']', found " + describe(sep));
    }
  }

  lexer lex_;
};

}  // namespace

node parse_text(std::string_view text) {
  parser p(text);
  node n = p.value();
  p.expect_end();
  return n;
}

std::size_t parse_prefix(std::string_view text) {
  parser p(text);
  p.value();
  return p.consumed();
}

}  // namespace bpfkit::btf_text_detail
