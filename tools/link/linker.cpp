#include "linker.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

// libbpf reports why it refused an input only through its print callback.
// While linking, warnings are collected here and become part of the error.
std::string captured;

int capture_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.starts_with("libbpf: ")) text.erase(0, 8);
  if (!text.empty()) captured += (captured.empty() ? "" : "; ") + text;
  return n;
}

// Installs capture_libbpf for its lifetime, restoring the previous printer.
class capture_scope {
 public:
  capture_scope() : previous_(libbpf_set_print(capture_libbpf)) { captured.clear(); }
  ~capture_scope() { libbpf_set_print(previous_); }
  capture_scope(const capture_scope &) = delete;
  capture_scope &operator=(const capture_scope &) = delete;

  // libbpf's messages, or the errno text when it printed nothing.
  static std::string reason(int err) {
    return captured.empty() ? std::strerror(err < 0 ? -err : err) : captured;
  }

 private:
  libbpf_print_fn_t previous_;
};

struct linker_deleter {
  void operator()(bpf_linker *linker) const { bpf_linker__free(linker); }
};

}  // namespace

void link_objects(const std::vector<std::string> &inputs, const std::string &output_path,
                  const std::string &output_name) {
  capture_scope capture;
  std::unique_ptr<bpf_linker, linker_deleter> linker(bpf_linker__new(output_path.c_str(), nullptr));
  if (!linker)
    throw tool_error(output_name, "libbpf cannot create the linked object: " +
                                      capture_scope::reason(errno));
  for (const auto &input : inputs) {
    captured.clear();
    if (int err = bpf_linker__add_file(linker.get(), input.c_str(), nullptr))
      throw tool_error(input, "libbpf cannot link it: " + capture_scope::reason(err));
  }
  captured.clear();
  if (int err = bpf_linker__finalize(linker.get()))
    throw tool_error(output_name, "libbpf cannot write the linked object: " +
                                      capture_scope::reason(err));
}

}  // namespace bpfkit::link
