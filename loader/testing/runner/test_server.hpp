// The test server: one long-lived bpfkit-test per build tree that keeps
// libbpf initialised and the tests' objects loaded, so that a declarative
// test costs a test run instead of a load in the kernel.
//
//   bpfkit-test --setup BUILD_DIR    (fixture bpfkit_kernel) starts it,
//                                    detached, replacing one that runs
//   bpfkit-test SPEC                 asks it to run the test (client), or
//                                    runs the test itself when no server
//                                    answers: same output, same exit code
//   bpfkit-test --cleanup BUILD_DIR  stops it
//
// Where: a unix socket in a private directory (mode 0700, owned by this
// user, reached without following symlinks): /run/bpfkit-test as root,
// $XDG_RUNTIME_DIR/bpfkit-test or /tmp/bpfkit-test-<uid> otherwise, or
// BPFKIT_TEST_SERVER_DIR; the socket is named by a hash of the build
// directory. A directory that is a symlink, another user's, or open to
// others is refused: the tests then run one process each.
//
// The server loads each (object file, program, SET_GLOBAL values) once per
// concurrent use, keyed also by the file's device, inode, size and mtime (a
// rebuilt object is loaded again), and puts every map back to its state
// right after the load after each test (map_state). It exits on --cleanup,
// SIGTERM, SIGINT, or after BPFKIT_TEST_SERVER_IDLE_SECONDS (default 120)
// without a request; everything it loaded goes with it (it pins nothing).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfkit/run_record.hpp"
#include "declarative_test.hpp"

namespace bpfkit::testing {

// A test as the server ran it.
struct served_test {
  test_report report;
  std::vector<run_record::program_entry> programs;  // loaded for it (result file)
  std::string libbpf_printed;  // what libbpf printed: the client's stderr
};

// Asks the build tree's server to run the spec file `spec_path`. Nothing
// when there is no server, it does not answer, or it hands the test back
// (bpf_printk capture, coverage...): run it in this process then.
std::optional<served_test> run_on_server(const std::string &build_dir, const std::string &spec_path);

// Starts the server of `build_dir` (stopping a running one first). Returns
// what the setup prints: where it listens, or why none was started (not an
// error: the tests then run one process each).
std::string start_server(const std::string &build_dir);

// Stops it; returns what the cleanup prints ("" when none ran).
std::string stop_server(const std::string &build_dir);

// The server's main loop (bpfkit-test --serve BUILD_DIR, started by
// start_server). Returns the exit status.
int serve(const std::string &build_dir);

}  // namespace bpfkit::testing
