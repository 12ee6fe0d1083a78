// What BPF programs print with bpf_printk() while one test runs, to show
// under the test's failure.
//
// bpf_printk() (bpf_trace_printk) writes the trace event
// bpf_trace/bpf_trace_printk, which the kernel enables in the top-level
// trace buffer that everyone shares. A capture makes a private tracefs
// instance (instances/bpfkit-printk-<pid>-<n>), enables the same event there
// for this process only (set_event_pid, following its threads and children),
// and reads the instance's `trace` file: it consumes nothing other readers
// of trace_pipe would miss, and other tests' programs, printing at the same
// time from their own processes, do not reach it.
//
//   auto capture = bpfkit::printk_capture::start();   // before the programs run
//   ... run ...
//   if (failed) std::cerr << bpfkit::format_printk(capture.lines());
//
// Lines a program prints while running for another task (a packet handled
// by ksoftirqd, a tracepoint hit by another process) belong to that task and
// are not captured.
#pragma once

#include <linux/bpf.h>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace bpfkit {

// Capturing is impossible here (no tracefs, no privilege, a kernel without
// the bpf_trace_printk event); what() says why and how to fix it.
class printk_unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct printk_line {
  std::string task;       // the comm of the task that ran the program
  int pid = 0;            // its thread id
  int cpu = 0;
  std::string timestamp;  // seconds, as tracefs prints them
  std::string message;    // what the program printed (continuation lines joined with '\n')
};

class printk_capture {
 public:
  // Starts capturing for this process. Throws printk_unavailable.
  static printk_capture start();

  printk_capture(printk_capture &&other) noexcept;
  printk_capture &operator=(printk_capture &&other) noexcept;
  printk_capture(const printk_capture &) = delete;
  printk_capture &operator=(const printk_capture &) = delete;
  ~printk_capture();  // removes the instance

  // Everything captured so far, oldest first (a read of `trace`, which
  // consumes nothing). When more was printed than the instance's buffer
  // holds, the oldest lines are gone.
  std::vector<printk_line> lines() const;
  const std::string &instance() const noexcept { return path_; }

 private:
  explicit printk_capture(std::string path) : path_(std::move(path)) {}
  void remove() noexcept;
  std::string path_;
};

// Whether the instructions call bpf_trace_printk or bpf_trace_vprintk:
// a test whose programs cannot print needs no capture.
bool calls_printk(std::span<const bpf_insn> insns);

// The lines as a failure message shows them, one a line, indented; "" when
// there are none.
std::string format_printk(const std::vector<printk_line> &lines);

// Parses the text of a tracefs `trace` file (for tests and tools).
std::vector<printk_line> parse_printk_trace(const std::string &text);

// Removes capture instances whose process is gone (a test that was killed),
// returning how many. For the test fixture's cleanup.
std::size_t remove_stale_printk_instances();

}  // namespace bpfkit
