// Diagnostics shared by bpfkit's build tools.
//
// Every tool reports a user error the same way, so build logs read alike:
//   <tool>: error: <file>: <what is wrong>
//     hint: <how to fix it>
// and exits with a documented status (see exit_code), the same as the bpfkit
// CLI's (docs/cli.md).
#pragma once

#include <bpf/libbpf.h>

#include <stdexcept>
#include <string>

namespace bpfkit::tools {

enum exit_code : int {
  exit_ok = 0,
  exit_usage = 2,        // the command line is wrong
  exit_input_error = 3,  // an input is wrong or unusable: the message says how
  exit_internal = 5,     // a bug or an environment failure
};

class tool_error : public std::runtime_error {
 public:
  tool_error(std::string file, std::string message, std::string hint = {})
      : std::runtime_error(message), file_(std::move(file)), hint_(std::move(hint)) {}
  const std::string &file() const { return file_; }
  const std::string &hint() const { return hint_; }

 private:
  std::string file_;
  std::string hint_;
};

class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Prints `e` in the common format on stderr.
void report(const char *tool, const tool_error &e);

// Runs `body` and turns exceptions into the common messages and exit codes.
// Also makes SIGINT/SIGTERM/SIGHUP remove the temporaries of unfinished
// outputs (file_io::remove_temporaries_on_signals).
int run_tool(const char *tool, const char *usage, int (*body)(int, char **), int argc,
             char **argv);

// Routes libbpf's own warnings to stderr prefixed with the tool name, and
// drops its debug chatter.
void route_libbpf_messages(const char *tool);

// libbpf explains why it refused something only through its print callback.
// While this lives, its warnings are collected (not printed) so that they can
// become part of one clear error; the previous printer is restored after.
class libbpf_capture {
 public:
  libbpf_capture();
  ~libbpf_capture();
  libbpf_capture(const libbpf_capture &) = delete;
  libbpf_capture &operator=(const libbpf_capture &) = delete;

  void clear();
  // The warnings so far ("; "-joined), or the errno text when there are none.
  std::string reason(int err) const;

 private:
  libbpf_print_fn_t previous_;
};

}  // namespace bpfkit::tools
