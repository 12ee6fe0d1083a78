// What the coverage tests that use the kernel share: the privilege check,
// loading an object from memory with libbpf (the tests drive libbpf
// directly, as the runtime will), test runs, and reading counters and
// globals back.
#pragma once

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace coverage_test {

// Skips the test, with the reason, when this process may not load BPF.
class kernel_test : public ::testing::Test {
 protected:
  void SetUp() override;
};
// Why BPF cannot be loaded here, or nullopt.
std::optional<std::string> missing_privilege();

template <class Param>
class kernel_param_test : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    if (auto missing = missing_privilege()) GTEST_SKIP() << *missing;
  }
};

struct object_closer {
  void operator()(bpf_object *o) const { bpf_object__close(o); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

struct load_result {
  object_ptr object;
  std::string error;  // libbpf's messages when the load failed
};

// Opens `elf` (which must outlive the object) and loads it; `prepare` runs
// between open and load (autoload, .rodata).
load_result load(std::span<const std::byte> elf, const std::string &name,
                 const std::function<void(bpf_object *)> &prepare = {});

// The coverage counters of an instrumented object.
std::vector<std::uint64_t> read_counters(bpf_object *object, std::size_t count);

struct run_result {
  std::uint32_t retval = 0;
  std::vector<std::uint8_t> data_out;
};
// BPF_PROG_TEST_RUN; fails the test when the kernel refuses.
run_result test_run(bpf_object *object, const char *program, const std::vector<std::uint8_t> &data,
                    std::uint32_t repeat = 1, const std::vector<std::uint8_t> &ctx = {});

// bpf_prog_info.verified_insns of a loaded program.
std::uint32_t verified_insns(bpf_object *object, const char *program);

// A u64 global variable (in .data or .bss) by name, read from its map.
std::uint64_t global_u64(bpf_object *object, const char *name);

// An Ethernet frame of `size` bytes with the given EtherType.
std::vector<std::uint8_t> frame(std::size_t size, std::uint16_t ether_type = 0x0800);

// Makes tracefs available to this process (a private mount when the host
// has none). Returns why it cannot, or nullopt.
std::optional<std::string> ensure_tracefs();

}  // namespace coverage_test
