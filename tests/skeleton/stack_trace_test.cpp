// skeleton.StackTrace.*: the open -> adjust -> load flow on a stack-trace map
// whose BTF leaves the value size open (skel_stack_trace.skel.hpp, from
// bpf/stack_trace.bpf.c): the C++ type check happens at load(), on the
// sizes set after open().
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <type_traits>

#include "skel_stack_trace.skel.hpp"

namespace {

using skel_stack_trace::skeleton;

constexpr std::uint32_t depth = 127;  // frames, as libbpf-tools default to

bool lacks_privileges(const bpfkit::error& e) {
  return e.code().value() == EPERM || e.code().value() == EACCES;
}

TEST(StackTrace, MapClassAndOpenValueSize) {
  skeleton skel = skeleton::open();  // no privileges needed; no check yet
  static_assert(std::is_same_v<decltype(skel.maps.stacks), bpfkit::stack_trace_map>);
  EXPECT_EQ(skel.maps.stacks.handle().value_size(), 0u);
  EXPECT_EQ(skel.maps.stacks.handle().key_size(), 4u);
}

TEST(StackTrace, SizedBetweenOpenAndLoad) {
  skeleton skel = skeleton::open();
  skel.maps.stacks.set_value_size(depth * sizeof(std::uint64_t));
  skel.maps.stacks.set_max_entries(64);
  try {
    skel.load();
  } catch (const bpfkit::error& e) {
    if (lacks_privileges(e)) GTEST_SKIP() << "cannot load: " << e.what();
    throw;
  }
  EXPECT_EQ(skel.maps.stacks.handle().value_size(), depth * 8);
  EXPECT_EQ(skel.maps.stacks.handle().max_entries(), 64u);
  skel.progs.record_stack.test_run();
  std::optional<std::int64_t> id = skel.maps.last_stack.lookup(0);
  ASSERT_TRUE(id);
  ASSERT_GE(*id, 0) << "bpf_get_stackid failed";
  std::optional<std::vector<std::uint64_t>> frames =
      skel.maps.stacks.lookup(static_cast<std::uint32_t>(*id));
  ASSERT_TRUE(frames);
  EXPECT_FALSE(frames->empty());
  EXPECT_LE(frames->size(), depth);
  EXPECT_EQ(skel.maps.stacks.count(), 1u);

  // Sizes are fixed once loaded.
  try {
    skel.maps.stacks.set_max_entries(128);
    FAIL() << "resizing a loaded map must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::device_or_resource_busy);
    EXPECT_NE(std::string(e.what()).find("resize maps between open() and load()"), std::string::npos)
        << e.what();
  }
}

TEST(StackTrace, LoadChecksTheFinalValueSize) {
  skeleton skel = skeleton::open();
  skel.maps.stacks.set_max_entries(8);
  try {
    skel.load();
    FAIL() << "a stack-trace map without a depth must not load";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("map 'stacks' (stack_trace): its value size is 0 bytes, not a "
                                         "whole number of 8-byte frames; set the depth between open() "
                                         "and load(): set_value_size(frames * 8)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(skel.object().loaded());
  // Nothing was loaded: the skeleton can still be adjusted and loaded.
  skel.maps.stacks.set_value_size(12);  // not whole frames either
  EXPECT_THROW(skel.load(), bpfkit::error);
  skel.maps.stacks.set_value_size(16 * 8);
  try {
    skel.load();
  } catch (const bpfkit::error& e) {
    if (lacks_privileges(e)) GTEST_SKIP() << "cannot load: " << e.what();
    throw;
  }
  EXPECT_TRUE(skel.object().loaded());
}

TEST(StackTrace, ValueTypeOfAnotherMapKeepsItsSize) {
  skeleton skel = skeleton::open();
  try {
    skel.maps.last_stack.handle().set_value_size(16);
    FAIL() << "a map whose BTF gives the value a type must keep its size";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("its BTF gives the value a type, whose size is fixed"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
