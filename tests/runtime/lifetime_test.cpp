// RAII: every fd bpfkit opens is closed again, and moved-from objects and
// links are safe to destroy, to reuse as move targets, and to misuse (they
// throw instead of crashing).
#include <fcntl.h>
#include <cerrno>
#include <linux/if_link.h>
#include <unistd.h>

#include "bpf_test.hpp"
#include "runtime_types.h"

namespace runtime_test {
namespace {

using namespace std::chrono_literals;

// Opens, loads, attaches, reads events and enters a network namespace: all
// the fds that takes are gone when the scope ends.
void use_everything() {
  bpfkit::object maps = load(RUNTIME_MAPS_OBJECT);
  bpfkit::object attach = load(RUNTIME_ATTACH_OBJECT);
  bpfkit::link raw = attach.program_by_name("on_sys_enter").attach_raw_tracepoint("sys_enter");
  bpfkit::link tp_btf = attach.program_by_name("on_sys_enter_btf").attach_trace();
  bpfkit::link uprobe = attach.program_by_name("on_uprobe").attach_uprobe("/proc/self/exe", "main");

  std::vector<std::uint8_t> packet(32, 1);
  maps.program_by_name("emit_event").test_run({.data_in = packet});
  bpfkit::ring_buffer<event> events(maps.map_by_name("events"));
  EXPECT_EQ(events.poll([](const event&) {}, 100ms), 1);

  bpfkit::perf_event_array samples(maps.map_by_name("samples"));
  samples.open([](int, std::span<const std::byte>) {});
  maps.program_by_name("emit_sample").test_run({.data_in = packet});
  samples.poll(100ms);

  bpfkit::testing::netns::private_netns netns;
  bpfkit::testing::netns::create_veth("rt0", "rt1");
  bpfkit::link xdp = maps.program_by_name("rewrite_packet")
                         .attach_xdp(bpfkit::testing::netns::link_index("rt1"), XDP_FLAGS_SKB_MODE);
}

TEST_F(bpf_test, EveryFdIsReleased) {
  std::size_t before = open_fds();
  use_everything();
  EXPECT_EQ(open_fds(), before);
}

TEST_F(bpf_test, FailedLoadsReleaseEveryFd) {
  std::size_t before = open_fds();
  for (const char* path : {RUNTIME_BROKEN_OBJECT, RUNTIME_LONG_LOG_OBJECT}) {
    bpfkit::object object = bpfkit::object::open_file(path);
    EXPECT_THROW(object.load(), bpfkit::error);
  }
  EXPECT_EQ(open_fds(), before);
}

TEST_F(bpf_test, MovedFromObjectIsSafe) {
  std::size_t before = open_fds();
  {
    bpfkit::object first = load(RUNTIME_MAPS_OBJECT);
    bpfkit::object second = std::move(first);
    EXPECT_EQ(bpfkit::libbpf::get(first), nullptr);
    EXPECT_FALSE(first.loaded());
    EXPECT_THROW(first.program_by_name("rewrite_packet"), bpfkit::error);
    EXPECT_THROW(first.load(), bpfkit::error);
    EXPECT_TRUE(second.loaded());

    first = std::move(second);  // a moved-from object takes a new one
    EXPECT_TRUE(first.loaded());
    std::vector<std::uint8_t> packet(16, 0);
    EXPECT_EQ(first.program_by_name("rewrite_packet").test_run({.data_in = packet}).retval, 3u);

    second = load(RUNTIME_ATTACH_OBJECT);
    second = std::move(first);  // closes the attach object it held
    EXPECT_EQ(second.name(), "runtime_maps");
  }  // destroys a moved-from and a live object
  EXPECT_EQ(open_fds(), before);
}

TEST_F(bpf_test, MovedFromLinkIsSafe) {
  bpfkit::object object = load(RUNTIME_ATTACH_OBJECT);
  bpfkit::hash_map<hook_key, std::uint64_t> counts(object.map_by_name("counts"));
  hook_key key{static_cast<__u32>(::getpid()), HOOK_UPROBE};
  bpfkit::program prog = object.program_by_name("on_uprobe");

  bpfkit::link first = prog.attach_uprobe("/proc/self/exe", "bpfkit_uprobe_target");
  bpfkit::link second = std::move(first);
  EXPECT_FALSE(first);
  EXPECT_TRUE(second);
  EXPECT_THROW(first.fd(), bpfkit::error);
  EXPECT_THROW(first.pin("/sys/fs/bpf/never"), bpfkit::error);
  first.detach();  // nothing to detach: fine

  first = std::move(second);  // still attached, through `first`
  bpfkit_uprobe_target(1);
  EXPECT_EQ(counts.lookup(key), 1u);

  first = bpfkit::link();  // detaches
  bpfkit_uprobe_target(2);
  EXPECT_EQ(counts.lookup(key), 1u);

  second = prog.attach_uprobe("/proc/self/exe", "bpfkit_uprobe_target");
  first = std::move(second);  // a moved-from link takes a new one
  bpfkit_uprobe_target(3);
  EXPECT_EQ(counts.lookup(key), 2u);
}

TEST_F(bpf_test, MovedRingBufferKeepsDelivering) {
  bpfkit::object object = load(RUNTIME_MAPS_OBJECT);
  bpfkit::ring_buffer<event> first(object.map_by_name("events"));
  std::vector<std::uint8_t> packet(20, 7);
  object.program_by_name("emit_event").test_run({.data_in = packet});
  EXPECT_EQ(first.consume([](const event&) {}), 1);  // creates the reader
  bpfkit::ring_buffer<event> second = std::move(first);
  object.program_by_name("emit_event").test_run({.data_in = packet});
  EXPECT_EQ(second.consume([](const event& e) { EXPECT_EQ(e.first_byte, 7); }), 1);
}

}  // namespace
}  // namespace runtime_test

// libbpf's attach calls return NULL on failure: adopting it must not yield
// a silently empty link.
TEST(Link, AdoptingANullLinkThrows) {
  errno = ENOENT;
  try {
    bpfkit::link adopted = bpfkit::libbpf::adopt(nullptr, "program 'x' to somewhere");
    FAIL() << "adopting a null bpf_link did not throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("attach program 'x' to somewhere"), std::string::npos) << e.what();
  }
}

// The kernel's internal ENOTSUPP (524) gets a message of its own.
TEST(Error, KernelEnotsuppIsNamed) {
  bpfkit::error e(524, "test-run program 'p'");
  EXPECT_NE(std::string(e.what()).find("not supported for this program type (ENOTSUPP)"),
            std::string::npos)
      << e.what();
}
