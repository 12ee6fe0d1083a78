// Options and result of program::test_run (BPF_PROG_TEST_RUN).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bpfkit {

struct test_run_opts {
  std::span<const std::uint8_t> data_in{};  // the packet, for networking programs
  std::span<const std::uint8_t> ctx_in{};   // the context (e.g. struct __sk_buff, xdp_md)
  std::uint32_t repeat = 1;                 // runs; duration_ns is their average
  std::size_t data_out_size = 0;            // 0: data_in.size() + 256 when there is data_in
};

struct test_run_result {
  std::uint32_t retval = 0;  // what the program returned (last run)
  std::uint64_t duration_ns = 0;
  std::vector<std::uint8_t> data_out;  // the packet as the program left it
};

}  // namespace bpfkit
