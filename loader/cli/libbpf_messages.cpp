#include "libbpf_messages.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace bpfkit::cli::libbpf_messages {
namespace {

std::string buffer;
bool echo = false;

int on_message(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG && !echo) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, format, args);
  // libbpf's messages start with "libbpf: " already.
  if (echo) std::fputs(line, stderr);
  if (level != LIBBPF_DEBUG) buffer += line;
  return n;
}

}  // namespace

void capture(bool echo_immediately) {
  echo = echo_immediately;
  libbpf_set_print(on_message);
}

std::string captured() { return buffer; }

}  // namespace bpfkit::cli::libbpf_messages
