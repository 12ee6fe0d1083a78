#include "tool_error.hpp"

#include "bpfkit/file_io.hpp"
#include "output_file.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <exception>
#include <new>

namespace bpfkit::tools {

void report(const char *tool, const tool_error &e) {
  if (e.file().empty())
    std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
  else
    std::fprintf(stderr, "%s: error: %s: %s\n", tool, e.file().c_str(), e.what());
  if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
}

int run_tool(const char *tool, const char *usage, int (*body)(int, char **), int argc,
             char **argv) {
  file_io::remove_temporaries_on_signals();
  try {
    return body(argc, argv);
  } catch (const tool_error &e) {
    report(tool, e);
    return exit_input_error;
  } catch (const file_io::file_error &e) {
    report(tool, input_error(e));
    return exit_input_error;
  } catch (const usage_error &e) {
    std::fprintf(stderr, "%s: error: %s\nusage: %s\n", tool, e.what(), usage);
    return exit_usage;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "%s: error: out of memory\n", tool);
    return exit_internal;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: internal error: %s\n", tool, e.what());
    return exit_internal;
  }
}

namespace {
const char *libbpf_tool_name = "bpfkit";

int print_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  std::fprintf(stderr, "%s: libbpf: ", libbpf_tool_name);
  return std::vfprintf(stderr, format, args);
}
}  // namespace

void route_libbpf_messages(const char *tool) {
  libbpf_tool_name = tool;
  libbpf_set_print(print_libbpf);
}

namespace {
std::string captured_warnings;

int capture_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  const int n = std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.starts_with("libbpf: ")) text.erase(0, 8);
  if (!text.empty()) captured_warnings += (captured_warnings.empty() ? "" : "; ") + text;
  return n;
}
}  // namespace

libbpf_capture::libbpf_capture() : previous_(libbpf_set_print(capture_libbpf)) { clear(); }

libbpf_capture::~libbpf_capture() { libbpf_set_print(previous_); }

void libbpf_capture::clear() { captured_warnings.clear(); }

std::string libbpf_capture::reason(int err) const {
  return captured_warnings.empty() ? std::strerror(err < 0 ? -err : err) : captured_warnings;
}

}  // namespace bpfkit::tools
