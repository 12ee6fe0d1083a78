// Shared pieces of the runtime tests: the privilege check every test starts
// with, the test objects, and helpers that leave the host as they found it.
#pragma once

#include <gtest/gtest.h>
#include <linux/if_link.h>

#include <bpfkit/bpfkit.hpp>
#include <bpfkit/libbpf.hpp>
#include <bpfkit/testing/netns.hpp>
#include <cstddef>
#include <optional>
#include <string>

// A function for uprobes to probe (symbol name: bpfkit_uprobe_target).
extern "C" int bpfkit_uprobe_target(int x);

namespace runtime_test {

// Skips the test, with the reason, when this process may not load BPF
// programs (EPERM: not root, no CAP_BPF). Derived fixtures that do more in
// SetUp() must return when IsSkipped().
class bpf_test : public ::testing::Test {
 protected:
  void SetUp() override;
};

// Opens and loads one of the objects built for these tests.
bpfkit::object load(const char* path);

// How many file descriptors this process has open.
std::size_t open_fds();

// Makes tracefs (tracepoint ids) available to this process: when the host
// has none mounted, mounts one in a private mount namespace of this process.
// Returns why that was impossible, or nullopt.
std::optional<std::string> ensure_tracefs();

// A fresh directory in bpffs, removed with everything pinned in it.
class pin_dir {
 public:
  pin_dir();
  ~pin_dir();
  pin_dir(const pin_dir&) = delete;
  pin_dir& operator=(const pin_dir&) = delete;

  std::string path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool exists(const std::string& path);

}  // namespace runtime_test
