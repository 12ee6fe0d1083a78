// C++ spellings for names that come from C (BTF types, members, maps,
// programs, ELF sections).
//
// The rules, also stated at the top of every generated header:
//  - a name that is a C++ keyword or alternative token, or a common
//    object-like macro (errno, NULL, EOF, stdin, stdout, stderr, linux,
//    unix), gets a trailing '_' (class -> class_, new -> new_, and -> and_);
//  - characters that cannot appear in an identifier ('.' in section names)
//    become '_' (.data.custom -> data_custom);
//  - within one C++ scope every name is unique: when a name is already taken
//    (C keeps struct tags, typedefs and enums apart, C++ does not), the later
//    claimant gets a kind suffix if it has one (_struct, _union, _enum,
//    _typedef), then _2, _3, ... until the name is free. Claims are made in a
//    fixed order (BTF type ID order, ELF order), so the result is
//    deterministic.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace bpfkit::skel {

// Names from an object reach the generated header in three places, and each
// is made safe there (a BTF or ELF name is data: it must never become code):
//  - identifiers go through cxx_identifier(), which keeps only [A-Za-z0-9_];
//  - string literals go through string_literal(), which escapes everything
//    but printable ASCII;
//  - comments go through comment_text(): a plain name (printable ASCII, no
//    backslash) as it is, anything else as an escaped string literal, so no
//    name can end a `//` comment (a newline) or splice the next line into it
//    (a trailing backslash).
// A name must also be free of control characters: no compiler writes one, so
// such an object is refused with the name (see unsafe_name()).

// `text` as a C++ string literal, quotes included: printable ASCII as is
// (with \" and \\ escaped), every other byte as a three-digit octal escape.
std::string string_literal(std::string_view text);

// `name` for the text of a `//` comment (see above).
std::string comment_text(std::string_view name);

// Why `name` is refused (it holds a control character), or an empty string.
std::string unsafe_name(std::string_view name);

// True for C++20 keywords and alternative tokens, and the macro names above
// (the `cxx` names of bpf/include/bpfkit/reserved_names.def).
bool is_cxx_keyword(std::string_view name);

// Why `name` cannot be the skeleton's namespace (a `cxx` or `namespace` name
// of reserved_names.def), or "" when it can.
std::string_view namespace_reservation(std::string_view name);

// `name` made a valid C++ identifier that is not a keyword.
std::string cxx_identifier(std::string_view name);

// One C++ scope's names.
class name_scope {
 public:
  // Marks `name` as used without claiming it through the rules.
  void reserve(const std::string &name) { used_.insert(name); }
  bool taken(const std::string &name) const { return used_.count(name) != 0; }
  // Claims cxx_identifier(wanted), or the first free variant of it.
  std::string claim(std::string_view wanted, std::string_view kind_suffix = {});

 private:
  std::set<std::string> used_;
};

}  // namespace bpfkit::skel
