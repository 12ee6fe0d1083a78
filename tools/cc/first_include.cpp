#include "first_include.hpp"

#include <cctype>

namespace bpfkit::tools {

namespace {

// Skips whitespace and C/C++ comments; returns the new position.
std::size_t skip_blank(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "//") {
      i = s.find('\n', i);
      if (i == std::string_view::npos) return s.size();
    } else if (s.substr(i, 2) == "/*") {
      i = s.find("*/", i + 2);
      if (i == std::string_view::npos) return s.size();
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// Skips spaces and tabs only (a directive ends at the line's end).
std::size_t skip_inline_space(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

}  // namespace

std::optional<include_directive> first_include(std::string_view s) {
  std::size_t i = skip_blank(s, 0);
  if (i >= s.size() || s[i] != '#') return {};
  i = skip_inline_space(s, i + 1);
  constexpr std::string_view keyword = "include";
  if (s.substr(i, keyword.size()) != keyword) return {};
  i = skip_inline_space(s, i + keyword.size());
  if (i >= s.size() || (s[i] != '"' && s[i] != '<')) return {};
  const char close = s[i] == '"' ? '"' : '>';
  const std::size_t end = s.find(close, i + 1);
  if (end == std::string_view::npos) return {};
  const std::string_view name = s.substr(i + 1, end - i - 1);
  if (name.find('\n') != std::string_view::npos) return {};
  return include_directive{std::string(name), close == '>'};
}

}  // namespace bpfkit::tools
