// bpf_add_test(GTEST) and bpfkit::testing, all expected to pass: every
// fixture, the veth pair, the verifier budget macros and the map matchers
// (their messages checked through ExplainMatchResult).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <bpfkit/testing.hpp>

#include "gtest_counter.skel.hpp"

namespace {

namespace types = gtest_counter::types;
using bpfkit::testing::eventually;
using bpfkit::testing::HasCount;
using bpfkit::testing::HasEntry;
using bpfkit::testing::HasKey;
using bpfkit::testing::Lacks;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The matcher's explanation, as a failure would print it.
template <class Matcher, class Map>
std::string explain(const Matcher& matcher, const Map& map) {
  ::testing::StringMatchResultListener listener;
  ::testing::ExplainMatchResult(matcher, map, &listener);
  return listener.str();
}

// UDP 10.0.0.1:1000 -> 10.0.0.2:53 with 8 bytes of payload (50 bytes).
std::vector<std::uint8_t> dns_frame() {
  static constexpr std::uint8_t payload[8] = {};
  bpfkit::testing::udp_endpoints endpoints;
  endpoints.source_port = 1000;
  endpoints.destination_port = 53;
  return bpfkit::testing::udp_frame(payload, endpoints);
}

types::flow_key dns_flow() {
  types::flow_key key;
  std::memset(&key, 0, sizeof key);  // padding too: the kernel compares bytes
  key.saddr = htonl(0x0a000001);
  key.daddr = htonl(0x0a000002);
  key.sport = htons(1000);
  key.dport = htons(53);
  key.proto = 17;
  return key;
}

class counter : public bpfkit::testing::skeleton_test<gtest_counter::skeleton> {
 protected:
  void run(const bpfkit::program& program, std::uint32_t times) {
    const auto frame = bpfkit::testing::udp_frame();
    auto result = program.test_run({.data_in = frame, .repeat = times});
    last_retval = result.retval;
  }
  std::uint32_t last_retval = 0;
};

TEST_F(counter, counts_test_runs) {
  run(skel().progs.count_packets, 5);
  EXPECT_EQ(last_retval, XDP_PASS);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 5));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasKey(0));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, Lacks(1));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasCount(1));
  EXPECT_THAT(skel().maps.PACKET_COUNTER, Not(HasEntry(0, 4)));
  // Per-CPU: the sum over CPUs, or CPU by CPU.
  EXPECT_THAT(skel().maps.cpu_counts, HasEntry(0, 5));
  EXPECT_THAT(skel().maps.cpu_counts, Not(HasEntry(0, 6)));
  auto per_cpu = *skel().maps.cpu_counts.lookup(0);
  EXPECT_THAT(skel().maps.cpu_counts, HasEntry(0, per_cpu));
}

// BPFKIT_REQUIRE_KERNEL in SetUp(), before the skeleton loads: requirements
// every kernel of the matrix meets let the case run.
class counter_where_supported : public counter {
 protected:
  void SetUp() override {
    BPFKIT_REQUIRE_KERNEL("5.10", "prog:xdp", "map:hash", "helper:bpf_map_lookup_elem@xdp");
    counter::SetUp();
  }
};

TEST_F(counter_where_supported, runs_when_the_kernel_meets_its_requirements) {
  run(skel().progs.count_packets, 2);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 2));
  EXPECT_EQ(bpfkit::testing::kernel_unmet_reason({"5.10", "prog:xdp", "map:hash"}), "");
  EXPECT_THAT(bpfkit::testing::kernel_unmet_reason({"99.0", "kfunc:bpfkit_no_such_kfunc"}),
              ::testing::MatchesRegex("needs kernel 99\\.0 or newer; this is [^ ]+; and needs kfunc "
                                      "bpfkit_no_such_kfunc, which kernel [^ ]+ lacks"));
  EXPECT_THROW(bpfkit::testing::kernel_unmet_reason({"prog:xpd"}), std::invalid_argument);
  EXPECT_THROW(bpfkit::testing::kernel_unmet_reason({"5.10", "6.1"}), std::invalid_argument);
}

// Every case gets a fresh skeleton: nothing counted by another case.
TEST_F(counter, starts_from_a_fresh_skeleton) {
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasCount(0));
  run(skel().progs.count_packets, 1);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 1));
}

TEST_F(counter, explains_mismatches_decoded_by_btf) {
  run(skel().progs.count_packets, 4);
  EXPECT_EQ(explain(HasEntry(0, 5), skel().maps.PACKET_COUNTER), "PACKET_COUNTER[0]: expected 5, found 4");
  EXPECT_EQ(explain(HasEntry(0, 4), skel().maps.PACKET_COUNTER), "PACKET_COUNTER[0] is 4");
  EXPECT_EQ(explain(HasEntry(2, 1), skel().maps.PACKET_COUNTER),
            "PACKET_COUNTER[2]: expected 1, found no entry (the map has: 0)");
  EXPECT_EQ(explain(Lacks(0), skel().maps.PACKET_COUNTER), "PACKET_COUNTER[0]: expected no entry, found 4");
  EXPECT_EQ(explain(HasKey(3), skel().maps.PACKET_COUNTER),
            "PACKET_COUNTER[3]: expected an entry, found none (the map has: 0)");
  EXPECT_EQ(explain(HasCount(2), skel().maps.PACKET_COUNTER), "count(PACKET_COUNTER): expected 2, found 1");
  EXPECT_THAT(explain(HasEntry(0, 5), skel().maps.cpu_counts),
              StartsWith("cpu_counts[0]: expected 5, found 4 (summed over "));
  EXPECT_EQ(::testing::DescribeMatcher<decltype(skel().maps.PACKET_COUNTER)>(HasEntry(0, 5)),
            "has entry [0] == 5");
  EXPECT_EQ(::testing::PrintToString(skel().maps.PACKET_COUNTER), "PACKET_COUNTER {0: 4}");
}

TEST_F(counter, struct_keys_and_values) {
  const auto frame = dns_frame();
  auto result = skel().progs.track_flows.test_run({.data_in = frame, .repeat = 3});
  EXPECT_EQ(result.retval, XDP_PASS);
  const types::flow_counts expected{.packets = 3, .bytes = 3 * frame.size()};
  EXPECT_THAT(skel().maps.flows, HasEntry(dns_flow(), expected));
  EXPECT_THAT(skel().maps.flows, HasCount(1));

  const std::string key_text =
      "flows[{saddr=0x0a000001, daddr=0x0a000002, sport=0x03e8, dport=0x0035, proto=17}]";
  const types::flow_counts wrong{.packets = 4, .bytes = 200};
  EXPECT_EQ(explain(HasEntry(dns_flow(), wrong), skel().maps.flows),
            key_text + ": expected {packets=4, bytes=200}, found {packets=3, bytes=150}");
  types::flow_key other = dns_flow();
  other.dport = htons(54);
  EXPECT_THAT(explain(Lacks(dns_flow()), skel().maps.flows),
              HasSubstr(": expected no entry, found {packets=3, bytes=150}"));
  EXPECT_THAT(explain(HasKey(other), skel().maps.flows),
              HasSubstr("dport=0x0036, proto=17}]: expected an entry, found none (the map has: {saddr="));
}

// A map declared with key_size/value_size has no BTF types: the C++ types'
// text (here std::array, as bytes) stands in.
TEST_F(counter, maps_without_btf_types) {
  using key_type = decltype(skel().maps.raw_slots)::key_type;
  using value_type = decltype(skel().maps.raw_slots)::value_type;
  const key_type key{1, 0, 0, 0};
  const value_type value{7, 0, 0, 0, 0, 0, 0, 0};
  skel().maps.raw_slots.update(key, value);
  EXPECT_THAT(skel().maps.raw_slots, HasEntry(key, value));
  EXPECT_THAT(skel().maps.raw_slots, HasCount(1));
  const value_type other{8, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(explain(HasEntry(key, other), skel().maps.raw_slots),
            "raw_slots[[1, 0, 0, 0]]: expected [8, 0, 0, 0, 0, 0, 0, 0], found [7, 0, 0, 0, 0, 0, 0, 0]");
}

TEST_F(counter, stays_within_its_verifier_budget) {
  EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 200);
  ASSERT_VERIFIED_INSNS_LE(skel().progs.track_flows, 1000);
  const auto over = bpfkit::testing::detail::verified_insns_le("skel().progs.count_packets", "1",
                                                               skel().progs.count_packets, 1);
  EXPECT_FALSE(over);
  EXPECT_THAT(over.message(), StartsWith("verified instructions of count_packets: expected at most 1, found "));
}

TEST_F(counter, pins_into_its_own_directory) {
  const std::string dir = pin_dir();
  EXPECT_EQ(dir, "/sys/fs/bpf/bpfkit-test/" + std::to_string(::getpid()) +
                     "-counter-pins_into_its_own_directory");
  EXPECT_EQ(pin_path("x"), dir + "/x");
  const std::string pinned = pin_path("PACKET_COUNTER");
  skel().maps.PACKET_COUNTER.handle().pin(pinned);
  ASSERT_TRUE(std::filesystem::exists(pinned));

  // The pin is the map itself: what the program counts is read through it.
  run(skel().progs.count_packets, 2);
  const int fd = bpf_obj_get(pinned.c_str());
  ASSERT_GE(fd, 0);
  std::uint32_t key = 0;
  std::uint64_t value = 0;
  EXPECT_EQ(bpf_map_lookup_elem(fd, &key, &value), 0);
  ::close(fd);
  EXPECT_EQ(value, 2u);
}

// TearDown removes the pin directory with what is pinned in it.
class pin_cleanup : public counter {
 protected:
  void TearDown() override {
    counter::TearDown();
    if (!dir_.empty()) {
      EXPECT_FALSE(std::filesystem::exists(dir_)) << dir_ << " survived TearDown";
    }
  }
  std::string dir_;
};

TEST_F(pin_cleanup, removes_the_directory_and_its_pins) {
  dir_ = pin_dir();
  skel().maps.flows.handle().pin(pin_path("flows"));
  ASSERT_TRUE(std::filesystem::exists(dir_ + "/flows"));
}

// configure() runs between open and load: .rodata is still writable.
class configured_counter : public bpfkit::testing::skeleton_test<gtest_counter::skeleton> {
 protected:
  void configure(gtest_counter::skeleton& skel) override {
    skel.rodata->increment = 3;
    skel.rodata->verdict = XDP_DROP;
  }
};

TEST_F(configured_counter, sets_rodata_before_load) {
  EXPECT_EQ(skel().rodata->increment, 3u);
  const auto frame = bpfkit::testing::udp_frame();
  auto result = skel().progs.count_packets.test_run({.data_in = frame, .repeat = 2});
  EXPECT_EQ(result.retval, XDP_DROP);
  EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 6));
}

std::string current_netns() { return std::filesystem::read_symlink("/proc/thread-self/ns/net").string(); }

// Real frames through XDP, in a private network namespace.
TEST_F(counter, counts_frames_sent_through_a_veth_pair) {
  BPFKIT_REQUIRE_NETNS();
  const std::string host_netns = current_netns();
  {
    bpfkit::testing::veth_pair net;
    EXPECT_NE(current_netns(), host_netns);
    EXPECT_EQ(net.sender(), "veth0");
    EXPECT_EQ(net.receiver(), "veth1");
    EXPECT_GT(net.sender_ifindex(), 0);
    EXPECT_GT(net.receiver_ifindex(), 0);
    bpfkit::link attached =
        skel().progs.count_packets.attach_xdp(net.receiver_ifindex(), XDP_FLAGS_SKB_MODE);
    const auto frame = net.udp_frame();
    constexpr unsigned frames = 10;
    for (unsigned i = 0; i < frames; ++i) net.send(frame);
    EXPECT_TRUE(eventually([&] { return skel().maps.PACKET_COUNTER.lookup(0).value_or(0) >= frames; }));
    // Nothing but what was sent (IPv6 is off: no solicitations).
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, frames));
  }
  EXPECT_EQ(current_netns(), host_netns);
}

// bpf_test alone: the privilege check and the pin directory, no skeleton.
class plain : public bpfkit::testing::bpf_test {};

TEST_F(plain, loads_an_object_by_hand) {
  EXPECT_TRUE(bpfkit::testing::bpf_unavailable_reason().empty());
  auto skel = gtest_counter::skeleton::open_and_load();
  skel.maps.PACKET_COUNTER.update(1, 42);
  EXPECT_THAT(skel.maps.PACKET_COUNTER, HasEntry(1u, 42u));
  EXPECT_EQ(pin_dir().rfind(std::string(bpfkit::testing::pin_root) + "/", 0), 0u);
}

}  // namespace
