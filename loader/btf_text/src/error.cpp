// btf_text_error: the message carries the position so that callers which only
// print what() still point the user at the right character.
#include <string>

#include "bpfkit/btf_text.hpp"

namespace bpfkit {
namespace {

struct position {
  std::size_t line = 1, column = 1;
  bool multiline = false;
};

position locate(std::string_view text, std::size_t offset) {
  position p;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    p.multiline = true;
    if (i < offset) {
      ++p.line;
      p.column = offset - i;
    }
  }
  if (p.line == 1) p.column = offset + 1;
  return p;
}

std::string message(const std::string& reason, const position& p) {
  std::string where = "column " + std::to_string(p.column);
  if (p.multiline) where = "line " + std::to_string(p.line) + ", " + where;
  return where + ": " + reason;
}

}  // namespace

btf_text_error::btf_text_error(const std::string& reason) : std::invalid_argument(reason), reason_(reason) {}

btf_text_error::btf_text_error(const std::string& reason, std::size_t offset, std::string_view text)
    : std::invalid_argument(message(reason, locate(text, offset))), reason_(reason), offset_(offset) {
  position p = locate(text, offset);
  line_ = p.line;
  column_ = p.column;
}

}  // namespace bpfkit
