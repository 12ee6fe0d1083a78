#include "bpfkit/object_check.hpp"

namespace bpfkit::object_check {

std::string problem::message() const {
  switch (where) {
    case part::not_bpf_object: return "not a BPF object: " + detail;
    case part::elf: return "malformed ELF: " + detail;
    case part::btf: return "malformed BTF: " + detail;
    case part::btf_ext: return "malformed BTF: .BTF.ext: " + detail;
  }
  return detail;
}

std::string quote(std::string_view name, std::size_t max_length) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  const bool cut = name.size() > max_length;
  for (unsigned char c : name.substr(0, max_length)) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += cut ? "...\"" : "\"";
  return out;
}

}  // namespace bpfkit::object_check
