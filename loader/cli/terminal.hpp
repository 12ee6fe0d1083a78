// Colours on a terminal: errors and rejections red, warnings yellow,
// acceptances green, hints dim. `--color auto` (the default) colours a
// stream only when it is a terminal, NO_COLOR is unset or empty
// (no-color.org) and TERM is not "dumb"; `always` and `never` decide for
// every stream. Nothing else in the CLI writes escape sequences.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace bpfkit::cli {

enum class color_mode { automatic, always, never };

// "auto", "always", "never" (also "yes"/"no"); nullopt for anything else.
std::optional<color_mode> parse_color_mode(std::string_view text);

// Decides, once, whether stdout and stderr get colours.
void configure_colors(color_mode mode);

enum class tone { error, warning, good, hint, emphasis };

// `text` wrapped in the escape sequences of `tone` when `stream` (stdout or
// stderr) gets colours; `text` unchanged otherwise.
std::string paint(std::FILE *stream, tone t, std::string_view text);

}  // namespace bpfkit::cli
