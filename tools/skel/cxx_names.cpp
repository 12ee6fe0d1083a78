#include "cxx_names.hpp"

#include <algorithm>
#include <iterator>

namespace bpfkit::skel {

namespace {

// C++20 keywords ([lex.key]) and alternative tokens ([lex.digraph]), and
// names too likely to be macros.
constexpr std::string_view keywords[] = {
    "alignas",   "alignof",      "and",          "and_eq",      "asm",
    "auto",      "bitand",       "bitor",        "bool",        "break",
    "case",      "catch",        "char",         "char16_t",    "char32_t",
    "char8_t",   "class",        "co_await",     "co_return",   "co_yield",
    "compl",     "concept",      "const",        "const_cast",  "consteval",
    "constexpr", "constinit",    "continue",     "decltype",    "default",
    "delete",    "do",           "double",       "dynamic_cast", "else",
    "enum",      "explicit",     "export",       "extern",      "false",
    "float",     "for",          "friend",       "goto",        "if",
    "inline",    "int",          "long",         "mutable",     "namespace",
    "new",       "noexcept",     "not",          "not_eq",      "nullptr",
    "operator",  "or",           "or_eq",        "private",     "protected",
    "public",    "register",     "reinterpret_cast", "requires", "return",
    "short",     "signed",       "sizeof",       "static",      "static_assert",
    "static_cast", "struct",     "switch",       "template",    "this",
    "thread_local", "throw",     "true",         "try",         "typedef",
    "typeid",    "typename",     "union",        "unsigned",    "using",
    "virtual",   "void",         "volatile",     "wchar_t",     "while",
    "xor",       "xor_eq",
    // Object-like macros of the C and C++ libraries (and GNU mode's `linux`
    // and `unix`) that a user's includes may define before the skeleton's.
    "errno",     "NULL",         "EOF",          "stdin",       "stdout",
    "stderr",    "linux",        "unix",
};

bool identifier_char(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool plain(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string string_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte <= 0x7e) {
      out += c;
    } else {
      // Always three digits: a following digit cannot extend the escape.
      out += '\\';
      out += static_cast<char>('0' + (byte >> 6));
      out += static_cast<char>('0' + ((byte >> 3) & 7));
      out += static_cast<char>('0' + (byte & 7));
    }
  }
  return out + "\"";
}

std::string comment_text(std::string_view name) {
  return plain(name) ? std::string(name) : string_literal(name);
}

std::string unsafe_name(std::string_view name) {
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f)
      return "the name " + string_literal(name) + " holds a control character";
  }
  return {};
}

bool is_cxx_keyword(std::string_view name) {
  return std::find(std::begin(keywords), std::end(keywords), name) != std::end(keywords);
}

std::string cxx_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) out += identifier_char(c) ? c : '_';
  // Keep a leading digit readable: 1x -> _1x.
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  if (out.empty()) out = "_";
  if (is_cxx_keyword(out)) out += '_';
  return out;
}

std::string name_scope::claim(std::string_view wanted, std::string_view kind_suffix) {
  std::string base = cxx_identifier(wanted);
  if (used_.insert(base).second) return base;
  if (!kind_suffix.empty()) {
    std::string with_kind = base + "_" + std::string(kind_suffix);
    if (used_.insert(with_kind).second) return with_kind;
  }
  for (unsigned n = 2;; ++n) {
    std::string numbered = base + "_" + std::to_string(n);
    if (used_.insert(numbered).second) return numbered;
  }
}

}  // namespace bpfkit::skel
