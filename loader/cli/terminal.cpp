#include "terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace bpfkit::cli {
namespace {

bool stdout_colored = false;
bool stderr_colored = false;

bool wants_color(int fd) {
  const char *no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char *term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

}  // namespace

std::optional<color_mode> parse_color_mode(std::string_view text) {
  if (text == "auto") return color_mode::automatic;
  if (text == "always" || text == "yes") return color_mode::always;
  if (text == "never" || text == "no") return color_mode::never;
  return std::nullopt;
}

void configure_colors(color_mode mode) {
  stdout_colored = mode == color_mode::always || (mode == color_mode::automatic && wants_color(STDOUT_FILENO));
  stderr_colored = mode == color_mode::always || (mode == color_mode::automatic && wants_color(STDERR_FILENO));
}

std::string paint(std::FILE *stream, tone t, std::string_view text) {
  bool colored = stream == stdout ? stdout_colored : stream == stderr ? stderr_colored : false;
  if (!colored || text.empty()) return std::string(text);
  const char *start = "";
  switch (t) {
    case tone::error: start = "\033[1;31m"; break;
    case tone::warning: start = "\033[1;33m"; break;
    case tone::good: start = "\033[32m"; break;
    case tone::hint: start = "\033[36m"; break;
    case tone::emphasis: start = "\033[1m"; break;
  }
  return start + std::string(text) + "\033[0m";
}

}  // namespace bpfkit::cli
