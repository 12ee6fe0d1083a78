// `bpfkit --help`, `bpfkit help [COMMAND [SUBCOMMAND]]` and
// `bpfkit COMMAND [SUBCOMMAND] --help`.
//
// The format is read by the man-page generator (packaging/man) and the bash
// completion (packaging/bash-completion), so it is kept exactly:
//   - the overview has a "commands:" section of "  name  summary" lines
//     ending at a blank line;
//   - a command's help starts with "usage: bpfkit NAME SYNOPSIS" (options
//     written --name, choices a|b|c), and that first paragraph lists only
//     the command's own options;
//   - then the summary, "Options:" (one line each), "Examples:" and
//     "Exit status:" sections.
// A command's synopsis and summary are its entry in main.cpp's table; the
// rest (options, examples, exit statuses) is in help.cpp.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"

namespace bpfkit::cli {

// The overview: usage, the commands, the global options, the exit statuses.
void print_overview(const std::vector<command> &commands, std::FILE *out);

// The help of `topic` ({"stats"}, {"map", "dump"}), or a usage_error naming
// what is unknown.
void print_command_help(const std::vector<command> &commands, const std::vector<std::string> &topic,
                        std::FILE *out);

// Whether `word` is a subcommand of `c` ("dump" of map).
bool has_subcommand(const command &c, const std::string &word);

// The one-line usage of a command (or map subcommand) for usage errors.
std::string usage_line(const command &c, const std::string &subcommand = {});

}  // namespace bpfkit::cli
