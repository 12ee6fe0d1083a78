// Tokens of the value syntax. The lexer knows nothing about BTF; it only
// splits text into punctuation, numbers, names and quoted literals, keeping
// each token's offset for error columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bpfkit::btf_text_detail {

enum class token_kind {
  end,
  lbrace,
  rbrace,
  lbracket,
  rbracket,
  comma,
  equals,
  dot,
  number,      // text holds the literal; the parser checks its form
  identifier,  // also "-inf"
  string,      // value holds the decoded bytes
  character,   // value holds the one decoded byte
};

struct token {
  token_kind kind = token_kind::end;
  std::size_t offset = 0;
  std::string_view text;  // as written, quotes included
  std::string value;      // decoded string or character literal
};

class lexer {
 public:
  explicit lexer(std::string_view text) : text_(text) {}

  token next();
  const token& peek();
  // Offset just past the last token returned by next().
  std::size_t consumed() const noexcept { return consumed_; }

 private:
  token scan();
  token scan_number(std::size_t start);
  token scan_quoted(std::size_t start, char quote);
  char escape(std::size_t& pos);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t consumed_ = 0;
  bool peeked_ = false;
  token lookahead_;
};

// How a token reads in "found ..." messages: 'x', "abc", 42, end of text.
std::string describe(const token& t);

}  // namespace bpfkit::btf_text_detail
