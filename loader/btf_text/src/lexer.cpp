#include "lexer.hpp"

#include <cctype>

#include "failure.hpp"

namespace bpfkit::btf_text_detail {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string quote_char(char c) {
  static constexpr char hex[] = "0123456789abcdef";
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  return std::string("'\\x") + hex[u >> 4] + hex[u & 0xf] + "'";
}

}  // namespace

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::end:
      return "end of text";
    case token_kind::number:
    case token_kind::string:
    case token_kind::character:
      return std::string(t.text);
    default:
      return "'" + std::string(t.text) + "'";
  }
}

const token& lexer::peek() {
  if (!peeked_) {
    lookahead_ = scan();
    peeked_ = true;
  }
  return lookahead_;
}

token lexer::next() {
  token t = peeked_ ? std::move(lookahead_) : scan();
  peeked_ = false;
  consumed_ = t.offset + t.text.size();
  return t;
}

token lexer::scan() {
  while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  std::size_t start = pos_;
  if (pos_ == text_.size()) return token{token_kind::end, start, {}, {}};

  auto single = [&](token_kind kind) {
    ++pos_;
    return token{kind, start, text_.substr(start, 1), {}};
  };
  char c = text_[pos_];
  switch (c) {
    case '{': return single(token_kind::lbrace);
    case '}': return single(token_kind::rbrace);
    case '[': return single(token_kind::lbracket);
    case ']': return single(token_kind::rbracket);
    case ',': return single(token_kind::comma);
    case '=': return single(token_kind::equals);
    case '"': return scan_quoted(start, '"');
    case '\'': return scan_quoted(start, '\'');
    default: break;
  }
  if (c == '.' && !(pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return single(token_kind::dot);
  if (is_name_start(c)) {
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    return token{token_kind::identifier, start, text_.substr(start, pos_ - start), {}};
  }
  if (c == '-' && text_.substr(pos_ + 1, 3) == "inf" &&
      !(pos_ + 4 < text_.size() && is_name_char(text_[pos_ + 4]))) {
    pos_ += 4;
    return token{token_kind::identifier, start, text_.substr(start, 4), {}};
  }
  if (is_digit(c) || c == '.' || (c == '-' && pos_ + 1 < text_.size() &&
                                  (is_digit(text_[pos_ + 1]) || text_[pos_ + 1] == '.'))) {
    return scan_number(start);
  }
  fail_at(start, "unexpected character " + quote_char(c));
}

// Greedy: everything that could belong to a number, so "12ab" is reported as
// one malformed number rather than a number followed by a name.
token lexer::scan_number(std::size_t start) {
  if (text_[pos_] == '-') ++pos_;
  bool hex = text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X";
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (is_name_char(c) || c == '.') {
      ++pos_;
    } else if ((c == '+' || c == '-') && !hex && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')) {
      ++pos_;
    } else {
      break;
    }
  }
  return token{token_kind::number, start, text_.substr(start, pos_ - start), {}};
}

char lexer::escape(std::size_t& pos) {
  std::size_t at = pos;
  char c = text_[pos++];
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case '\\': return '\\';
    case '\'': return '\'';
    case '"': return '"';
    case 'x': {
      int hi = pos < text_.size() ? hex_digit(text_[pos]) : -1;
      int lo = pos + 1 < text_.size() ? hex_digit(text_[pos + 1]) : -1;
      if (hi < 0 || lo < 0) fail_at(at - 1, "\\x needs two hex digits");
      pos += 2;
      return static_cast<char>(hi * 16 + lo);
    }
    default:
      fail_at(at - 1, "unknown escape '\\" + std::string(1, c) +
                          "' (known: \\n \\t \\r \\0 \\\\ \\' \\\" \\xHH)");
  }
}

token lexer::scan_quoted(std::size_t start, char quote) {
  std::string value;
  ++pos_;
  for (;;) {
    if (pos_ >= text_.size()) {
      fail_at(start, quote == '"' ? "unterminated string" : "unterminated character literal");
    }
    char c = text_[pos_];
    if (c == quote) break;
    ++pos_;
    if (c == '\\') {
      if (pos_ >= text_.size()) continue;  // reported as unterminated
      value.push_back(escape(pos_));
    } else {
      value.push_back(c);
    }
  }
  ++pos_;
  token t{quote == '"' ? token_kind::string : token_kind::character, start, text_.substr(start, pos_ - start),
          std::move(value)};
  if (quote == '\'' && t.value.size() != 1) {
    fail_at(start, "a character literal holds exactly one character; use \"...\" for a string");
  }
  return t;
}

}  // namespace bpfkit::btf_text_detail
