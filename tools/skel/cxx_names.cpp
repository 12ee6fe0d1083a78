#include "cxx_names.hpp"

#include <algorithm>
#include <iterator>

namespace bpfkit::skel {

namespace {

// The one list of reserved names, shared with CMake's bpf_add_object().
struct reserved_name {
  std::string_view scope;  // cxx, namespace or target
  std::string_view name;
  std::string_view reason;
};

constexpr reserved_name reserved_names[] = {
#define BPFKIT_RESERVED_NAME(scope, name, reason) {#scope, #name, reason},
#include <bpfkit/reserved_names.def>
#undef BPFKIT_RESERVED_NAME
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
  return std::any_of(std::begin(reserved_names), std::end(reserved_names),
                     [&](const reserved_name &r) { return r.scope == "cxx" && r.name == name; });
}

std::string_view namespace_reservation(std::string_view name) {
  for (const auto &r : reserved_names)
    if ((r.scope == "cxx" || r.scope == "namespace") && r.name == name) return r.reason;
  return {};
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
