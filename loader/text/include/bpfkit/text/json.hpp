// JSON text for bpfkit's machine-readable output (--json, result files,
// inspect reports): one escaping of strings, and a small writer that takes
// care of indentation and commas.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::text {

// `text` as a JSON string literal, quotes included. Bytes are copied as they
// are (UTF-8 stays UTF-8); control characters are escaped.
inline std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

class json_writer {
 public:
  json_writer &begin_object() { return open('{'); }
  json_writer &end_object() { return close('}'); }
  json_writer &begin_array() { return open('['); }
  json_writer &end_array() { return close(']'); }

  json_writer &key(std::string_view name) {
    separate();
    quote(name);
    out_ += ": ";
    after_key_ = true;
    return *this;
  }
  json_writer &value(std::string_view text) {
    separate();
    quote(text);
    return *this;
  }
  json_writer &value(const char *text) { return value(std::string_view(text)); }
  json_writer &value(const std::string &text) { return value(std::string_view(text)); }
  json_writer &value(std::uint64_t n) { return raw(std::to_string(n)); }
  json_writer &value(std::uint32_t n) { return raw(std::to_string(n)); }
  json_writer &value(std::int64_t n) { return raw(std::to_string(n)); }
  json_writer &value(int n) { return raw(std::to_string(n)); }
  json_writer &value(bool b) { return raw(b ? "true" : "false"); }
  json_writer &null() { return raw("null"); }

  template <typename T>
  json_writer &field(std::string_view name, const T &v) {
    key(name);
    return value(v);
  }

  // The document, with a final newline.
  std::string str() const { return out_ + "\n"; }

 private:
  json_writer &raw(const std::string &text) {
    separate();
    out_ += text;
    return *this;
  }
  json_writer &open(char c) {
    separate();
    out_ += c;
    counts_.push_back(0);
    return *this;
  }
  json_writer &close(char c) {
    const bool empty = counts_.back() == 0;
    counts_.pop_back();
    if (!empty) newline();
    out_ += c;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_ += ',';
    newline();
  }
  void newline() {
    out_ += '\n';
    out_.append(counts_.size() * 2, ' ');
  }
  void quote(std::string_view text) { out_ += json_quote(text); }

  std::string out_;
  std::vector<std::size_t> counts_;
  bool after_key_ = false;
};

}  // namespace bpfkit::text
