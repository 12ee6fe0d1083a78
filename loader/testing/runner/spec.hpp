// The spec of one declarative BPF test, as bpf_add_test() writes it.
//
// One `key=value` per line; keys that may repeat (set_global, set_map,
// expect_map, requires) keep their order. CMake has already checked the syntax; this
// reader only refuses what it does not know, so a bpfkit-test from another
// version fails loudly instead of ignoring an expectation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfkit::testing {

struct expected_retval {
  std::int64_t value;
  std::string spelled;  // as the user wrote it: "XDP_PASS" or "2"
};

struct test_spec {
  std::string test;
  std::string rerun;  // the command that reruns just this test
  std::string build_dir;  // the build tree the test belongs to ("" when not said)
  std::string object;
  std::string program;
  std::optional<std::string> data_in;  // a file
  std::optional<std::string> packet;   // a packet spec
  std::optional<std::string> ctx_in;
  std::uint32_t repeat = 1;
  std::vector<std::string> set_global;
  std::vector<std::string> set_map;
  std::optional<expected_retval> expect_retval;
  std::vector<std::string> expect_map;
  std::optional<std::string> expect_data_out;
  std::optional<std::uint64_t> max_verified_insns;
  std::vector<std::string> expect_load_failure;  // regexes the log must all match
  std::string min_kernel;                        // MIN_KERNEL as written; empty: none
  std::vector<std::string> required_features;    // REQUIRES: "helper:bpf_loop", ...
};

// Throws std::runtime_error naming the file and line on anything unexpected.
test_spec read_spec(const std::string &path);

// "XDP_PASS", "-1", "0x2": the value of an expected return code, or
// nothing when it is neither a number nor a known name.
std::optional<std::int64_t> retval_value(const std::string &spelled);

}  // namespace bpfkit::testing
