// The value syntax as a tree, independent of any BTF type: the encoder then
// checks the tree against the type. Keeping the two apart means syntax errors
// are reported the same way for every type, and parse_bytes reuses the parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "int128.hpp"

namespace bpfkit::btf_text_detail {

struct field;

struct node {
  enum class kind { integer, floating, string, identifier, object, list };
  kind k = kind::integer;
  std::size_t offset = 0;
  std::string found;         // how it reads in "found ..." messages
  integer_value integer;     // kind::integer (also character literals)
  bool is_char = false;      // written as 'c'
  bool hex = false;          // written as 0x...
  std::size_t digits = 0;    // number of hex digits, when hex
  double real = 0;           // kind::floating
  std::string str;           // kind::string bytes, kind::identifier name
  std::vector<field> fields; // kind::object
  std::vector<node> items;   // kind::list
};

struct field {
  std::string name;
  std::size_t offset = 0;
  node value;
};

// The whole text as one value; anything after it is an error.
node parse_text(std::string_view text);

// One value at the start of text; returns the offset just past it.
std::size_t parse_prefix(std::string_view text);

}  // namespace bpfkit::btf_text_detail
