// The bpfkit command-line interface: shared pieces of every subcommand.
//
// Each subcommand lives in its own cmd_<name>.cpp and is listed once in
// main.cpp. Subcommands parse their arguments with `arguments`, report user
// mistakes by throwing cli_error (or usage_error), and return an exit code.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::cli {

// Documented in docs/cli.md; scripts depend on them.
enum exit_code : int {
  exit_ok = 0,
  exit_failed = 1,       // the kernel rejected a program, or a checked condition failed
  exit_usage = 2,        // bad command line
  exit_bad_input = 3,    // missing file, not a BPF object, unknown program/map, bad path
  exit_no_privilege = 4, // loading or attaching needs privileges this process lacks
  exit_internal = 5,     // a bug
};

// A user-facing failure: printed as "bpfkit <command>: error: <message>".
class cli_error : public std::runtime_error {
 public:
  cli_error(exit_code code, const std::string &message, std::string hint = {})
      : std::runtime_error(message), code_(code), hint_(std::move(hint)) {}
  exit_code code() const { return code_; }
  const std::string &hint() const { return hint_; }

 private:
  exit_code code_;
  std::string hint_;
};

class usage_error : public cli_error {
 public:
  explicit usage_error(const std::string &message) : cli_error(exit_usage, message) {}
};

// Command-line arguments of one subcommand: options (--name value, --name=value,
// or flags) anywhere, positionals in order. Every option must be consumed:
// finish() rejects the ones the subcommand did not ask for.
class arguments {
 public:
  arguments(std::vector<std::string> args, std::vector<std::string> flag_names);

  std::optional<std::string> option(std::string_view name);  // last value given
  std::vector<std::string> options(std::string_view name);   // every value, in order
  bool flag(std::string_view name);
  std::string positional(std::string_view what);              // required
  std::optional<std::string> optional_positional();
  std::vector<std::string> rest();                            // remaining positionals
  void finish();

 private:
  std::vector<std::string> positionals_;
  std::size_t next_positional_ = 0;
  std::multimap<std::string, std::string, std::less<>> options_;
  std::vector<std::string> flags_;
};

// Parses an unsigned number (decimal or 0x hex) for option `name`.
unsigned long long parse_number(std::string_view name, std::string_view text);

struct command {
  const char *name;
  const char *synopsis;  // after "bpfkit <name> "
  const char *summary;
  std::vector<std::string> flag_names;  // options that take no value
  int (*run)(arguments &);
};

}  // namespace bpfkit::cli
