// bpfkit::testing: GoogleTest fixtures and matchers for BPF programs.
//
// Link bpfkit::testing (and bpfkit::testing_main for a main() that also
// prints the command to rerun a failed test), or let
// bpf_add_test(<test> GTEST SOURCES ... LINK <object>) do both.
//
//   #include <bpfkit/testing.hpp>
//   #include "xdp_counter.skel.hpp"
//
//   using bpfkit::testing::HasEntry;
//
//   // A fresh skeleton per test case, opened and loaded in SetUp(); the
//   // test is skipped, with the reason, where BPF cannot be loaded.
//   class counter : public bpfkit::testing::skeleton_test<xdp_counter::skeleton> {
//     void configure(xdp_counter::skeleton& skel) override {  // between open and load
//       skel.rodata->increment = 1;
//     }
//   };
//
//   TEST_F(counter, counts_test_runs) {
//     auto frame = bpfkit::testing::udp_frame();
//     skel().progs.count_packets.test_run({.data_in = frame, .repeat = 5});
//     EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 5));
//     // on failure: PACKET_COUNTER[0]: expected 5, found 4
//     EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 100);
//   }
//
//   TEST_F(counter, counts_real_packets) {
//     bpfkit::testing::veth_pair net;  // private netns, veth0 -> veth1
//     auto attached = skel().progs.count_packets.attach_xdp(net.receiver_ifindex(), XDP_FLAGS_SKB_MODE);
//     net.send(net.udp_frame());
//     EXPECT_TRUE(bpfkit::testing::eventually([&] {
//       return skel().maps.PACKET_COUNTER.lookup(0) == 1u; }));
//   }
//
// Pieces (each in its own header under bpfkit/testing/):
//   environment.hpp  require_bpf(), BPFKIT_REQUIRE_BPF(), pin_directory
//   fixtures.hpp     bpf_test (skip without BPF, pin_dir()), skeleton_test<S>
//   network.hpp      veth_pair, udp_frame(), eventually()
//   netns.hpp        private network namespaces, veth pairs, frame_sender
//   pins.hpp         pin_root, ensure_bpffs()
//   rerun.hpp        rerun_command(): the ctest command that reruns one test
//   map_matchers.hpp HasEntry, HasKey, Lacks, HasCount: BTF-decoded messages
//   verifier.hpp     EXPECT_VERIFIED_INSNS_LE / ASSERT_VERIFIED_INSNS_LE
//   main.hpp         install_rerun_listener() for a main() of your own
#pragma once

#include "bpfkit/testing/environment.hpp"
#include "bpfkit/testing/fixtures.hpp"
#include "bpfkit/testing/main.hpp"
#include "bpfkit/testing/map_matchers.hpp"
#include "bpfkit/testing/netns.hpp"
#include "bpfkit/testing/network.hpp"
#include "bpfkit/testing/pins.hpp"
#include "bpfkit/testing/rerun.hpp"
#include "bpfkit/testing/verifier.hpp"
