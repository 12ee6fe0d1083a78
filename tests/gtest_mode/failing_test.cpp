// Deliberately failing and crashing cases: not registered with ctest. The
// drivers (check_failures.cmake, check_crash.cmake) run them with
// --gtest_filter and check what they print and leave behind.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <bpfkit/testing.hpp>

#include "gtest_broken.skel.hpp"
#include "gtest_counter.skel.hpp"

namespace {

using bpfkit::testing::HasCount;
using bpfkit::testing::HasEntry;
using bpfkit::testing::Lacks;

class deliberately_failing : public bpfkit::testing::skeleton_test<gtest_counter::skeleton> {
 protected:
  void count(std::uint32_t times) {
    const auto frame = bpfkit::testing::udp_frame();
    skel().progs.count_packets.test_run({.data_in = frame, .repeat = times});
  }
};

TEST_F(deliberately_failing, map_value) {
  count(4);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 5));
}

TEST_F(deliberately_failing, missing_entry) {
  count(1);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(2, 1));
}

TEST_F(deliberately_failing, unexpected_entry_and_count) {
  count(7);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, Lacks(0));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasCount(3));
}

TEST_F(deliberately_failing, struct_value) {
  bpfkit::testing::udp_endpoints endpoints;
  endpoints.source_port = 1000;
  endpoints.destination_port = 53;
  static constexpr std::uint8_t payload[8] = {};
  const auto frame = bpfkit::testing::udp_frame(payload, endpoints);
  skel().progs.track_flows.test_run({.data_in = frame, .repeat = 2});
  gtest_counter::types::flow_key key;
  std::memset(&key, 0, sizeof key);
  key.saddr = __builtin_bswap32(0x0a000001);
  key.daddr = __builtin_bswap32(0x0a000002);
  key.sport = __builtin_bswap16(1000);
  key.dport = __builtin_bswap16(53);
  key.proto = 17;
  EXPECT_THAT(skel().maps.flows, HasEntry(key, gtest_counter::types::flow_counts{.packets = 3, .bytes = 150}));
}

TEST_F(deliberately_failing, verified_insns_over_budget) {
  EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 1);
}

// Fails after pinning: TearDown must still remove the pin directory.
TEST_F(deliberately_failing, pins_then_fails) {
  skel().maps.PACKET_COUNTER.handle().pin(pin_path("PACKET_COUNTER"));
  std::printf("pin directory: %s\n", pin_dir().c_str());
  std::fflush(stdout);
  FAIL() << "failing on purpose after pinning";
}

// A program the verifier rejects: SetUp fails with its message and log.
class broken : public bpfkit::testing::skeleton_test<gtest_broken::skeleton> {};

TEST_F(broken, does_not_load) { ADD_FAILURE() << "the body must not run after a failed load"; }

// Requirements the kernel does not meet skip the case with the reasons,
// before the body (or, from SetUp(), the skeleton's load) runs; misspelled
// ones fail it.
TEST(kernel_requirements, future_kernel) {
  BPFKIT_REQUIRE_KERNEL("99.0", "prog:xdp");
  ADD_FAILURE() << "the body must not run on a kernel older than 99.0";
}

TEST(kernel_requirements, missing_kfunc) {
  BPFKIT_REQUIRE_KERNEL("kfunc:bpfkit_no_such_kfunc");
  ADD_FAILURE() << "the body must not run without its kfunc";
}

TEST(kernel_requirements, misspelled) {
  BPFKIT_REQUIRE_KERNEL("prog:xpd");
  ADD_FAILURE() << "the body must not run after a misspelled requirement";
}

TEST(kernel_requirements, two_versions) {
  BPFKIT_REQUIRE_KERNEL("5.10", "6.1");
  ADD_FAILURE() << "the body must not run with two versions";
}

class kernel_requirements_in_set_up : public bpfkit::testing::skeleton_test<gtest_counter::skeleton> {
 protected:
  void SetUp() override {
    BPFKIT_REQUIRE_KERNEL("99.0");
    ADD_FAILURE() << "SetUp must not go on after the skip";
    skeleton_test::SetUp();
  }
};

TEST_F(kernel_requirements_in_set_up, skips_before_loading) {
  ADD_FAILURE() << "the body must not run after a skip in SetUp";
}

// Dies without TearDown: the pin directory stays until bpfkit-test --cleanup.
class crashing : public deliberately_failing {};

TEST_F(crashing, aborts_after_pinning) {
  skel().maps.PACKET_COUNTER.handle().pin(pin_path("PACKET_COUNTER"));
  std::printf("pin directory: %s\n", pin_dir().c_str());
  std::fflush(stdout);
  std::abort();
}

}  // namespace
