#include "libbpf_messages.hpp"

#include "bpfkit/libbpf_messages.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <atomic>
#include <cstdio>
#include <mutex>

namespace bpfkit::detail {
namespace {

std::mutex installed_mutex;
int captures = 0;                      // live captures, on any thread
libbpf_print_fn_t previous = nullptr;  // the callback before the first of them
thread_local libbpf_messages* current = nullptr;

// keep_libbpf_messages(): the process's own callback, below the captures.
std::mutex kept_mutex;
std::string kept;
std::atomic<bool> echo = false;

int keep(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG && !echo) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, format, args);
  // libbpf's messages start with "libbpf: " already.
  if (echo) std::fputs(line, stderr);
  if (level != LIBBPF_DEBUG) {
    std::lock_guard lock(kept_mutex);
    kept += line;
  }
  return n;
}

int print(enum libbpf_print_level level, const char* format, va_list args);

}  // namespace

struct libbpf_messages_access {
  static void append(libbpf_messages& capture, const char* text) { capture.text_ += text; }
  static bool forward(const libbpf_messages& capture) { return capture.forward_; }
};

namespace {

int print(enum libbpf_print_level level, const char* format, va_list args) {
  libbpf_print_fn_t pass_on;
  {
    std::lock_guard lock(installed_mutex);
    pass_on = previous;
  }
  if (current && level != LIBBPF_DEBUG) {
    va_list copy;
    va_copy(copy, args);
    char text[2048];
    std::vsnprintf(text, sizeof text, format, copy);
    va_end(copy);
    libbpf_messages_access::append(*current, text);
  }
  // Another thread's messages, or this capture forwards: the callback the
  // program had gets them as before.
  if (pass_on && (!current || libbpf_messages_access::forward(*current)))
    return pass_on(level, format, args);
  return 0;
}

}  // namespace

libbpf_messages::libbpf_messages(bool forward) : forward_(forward), outer_(current) {
  {
    std::lock_guard lock(installed_mutex);
    if (captures++ == 0) previous = libbpf_set_print(print);
  }
  current = this;
}

libbpf_messages::~libbpf_messages() {
  current = outer_;
  std::lock_guard lock(installed_mutex);
  if (--captures == 0) libbpf_set_print(previous);
}

std::string libbpf_messages::take() {
  std::string text;
  text.swap(text_);
  return text;
}

}  // namespace bpfkit::detail

namespace bpfkit {

void keep_libbpf_messages(bool echo_each) {
  {
    std::lock_guard lock(detail::kept_mutex);
    detail::echo = echo_each;
  }
  std::lock_guard lock(detail::installed_mutex);
  // A live capture passes messages on to `previous`: keep() goes beneath it.
  if (detail::captures == 0)
    libbpf_set_print(detail::keep);
  else
    detail::previous = detail::keep;
}

std::string kept_libbpf_messages() {
  std::lock_guard lock(detail::kept_mutex);
  return detail::kept;
}

}  // namespace bpfkit
