// skeleton.*: skel_layout.skel.hpp (from bpf/layout.bpf.c) against the
// kernel. The object comes from the header's embedded ELF only: no .bpf.o
// path is given anywhere.
//
// Tests that load into the kernel skip (GTEST_SKIP) without the privileges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <optional>
#include <thread>
#include <vector>

#include "skel_layout.skel.hpp"

namespace layout = skel_layout;

namespace {

using namespace layout;

bool lacks_privileges(const bpfkit::error& e) {
  return e.code().value() == EPERM || e.code().value() == EACCES;
}

// Loads `skel`, or skips the test when the kernel refuses for lack of
// privileges (CAP_BPF, CAP_PERFMON / root).
#define LOAD_OR_SKIP(skel)                                                \
  do {                                                                    \
    try {                                                                 \
      (skel).load();                                                      \
    } catch (const bpfkit::error& e) {                                    \
      if (lacks_privileges(e)) GTEST_SKIP() << "cannot load: " << e.what(); \
      throw;                                                              \
    }                                                                     \
  } while (0)

bpfkit::test_run_result run_classify(const skeleton& skel) {
  static const std::vector<std::uint8_t> packet(64, 0);
  bpfkit::test_run_opts opts;
  opts.data_in = packet;
  return skel.progs.classify.test_run(opts);
}

types::flow_key the_key() {
  types::flow_key key{};  // the key classify() looks up
  key.saddr = 1;
  key.daddr = 2;
  key.sport = 3;
  key.dport = 4;
  key.proto = 6;
  return key;
}

TEST(Layout, BitFieldsSitWhereBtfPutsThem) {
  // struct stats: after two u64, kind:3 urgent:1 level:12 delta:9 share the
  // unsigned int at byte 16 (bits 0-2, 3, 4-15, 16-24), as the BTF of
  // layout.bpf.o says and the SysV ABI places them. The kernel round trip
  // below checks the same through the BPF program's own stores.
  types::stats s{};
  s.kind = 5;
  s.urgent = 1;
  s.level = 1000;
  s.delta = -3;
  std::uint32_t word = 0;
  std::memcpy(&word, reinterpret_cast<const char*>(&s) + 16, sizeof word);
  std::uint32_t expected = 5u | (1u << 3) | (1000u << 4) | ((static_cast<std::uint32_t>(-3) & 0x1ffu) << 16);
  EXPECT_EQ(word, expected);
}

TEST(Open, InitialValuesWithoutLoading) {
  skeleton skel = skeleton::open();  // no privileges needed
  ASSERT_NE(skel.rodata, nullptr);
  ASSERT_NE(skel.data, nullptr);
  ASSERT_NE(skel.bss, nullptr);
  ASSERT_NE(skel.data_custom, nullptr);
  EXPECT_EQ(skel.rodata->cfg_multiplier, 3u);
  EXPECT_EQ(skel.rodata->cfg_color, types::color::GREEN);
  EXPECT_EQ(skel.rodata->cfg_pair.a, 1);
  EXPECT_EQ(skel.rodata->cfg_pair.b, 2);
  EXPECT_EQ(skel.data->data_counter, 7u);
  EXPECT_EQ(skel.data_custom->custom_value, 42u);
  EXPECT_EQ(skel.data_custom->this_, 5u);
  EXPECT_EQ(skel.bss->bss_hits, 0u);
  EXPECT_EQ(skel.progs.classify.name(), "classify");
  EXPECT_EQ(skel.maps.flows.handle().name(), "flows");
  EXPECT_EQ(skel.maps.delete_.handle().name(), "delete");
  EXPECT_EQ(skel.maps.flows.handle().key_size(), sizeof(types::flow_key));
  EXPECT_EQ(skel.maps.flows.handle().value_size(), sizeof(types::stats));
}

TEST(RoundTrip, RodataWrittenBeforeLoadReachesTheProgram) {
  skeleton skel = skeleton::open();
  skel.rodata->cfg_multiplier = 7;
  LOAD_OR_SKIP(skel);
  EXPECT_EQ(run_classify(skel).retval, 7u);
  EXPECT_EQ(skel.rodata->cfg_multiplier, 7u);  // now the frozen map's memory
}

TEST(RoundTrip, StructKeyedMapGlobalsAndEvents) {
  skeleton skel = skeleton::open();
  LOAD_OR_SKIP(skel);

  types::stats initial{};
  initial.packets = 10;
  initial.meta.class_ = 41;
  skel.maps.flows.update(the_key(), initial);
  ASSERT_EQ(run_classify(skel).retval, 3u);

  std::optional<types::stats> s = skel.maps.flows.lookup(the_key());
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->packets, 11u);
  EXPECT_EQ(s->bytes, 64u);
  EXPECT_EQ(s->kind, 5u);
  EXPECT_EQ(s->urgent, 1u);
  EXPECT_EQ(s->level, 1000u);
  EXPECT_EQ(s->delta, -3);
  EXPECT_EQ(s->hi, 0xbeef);
  EXPECT_EQ(s->meta.class_, 41u);
  EXPECT_EQ(s->meta.new_, 42u);
  EXPECT_EQ(s->lvl, types::level::LEVEL_HIGH);
  EXPECT_EQ(s->sgn, types::sign::SIGN_NEGATIVE);
  EXPECT_EQ(s->clash_struct.big, 77u);
  EXPECT_EQ(s->clash_typedef, 78);

  // Globals after the run, read through the mmapped sections.
  EXPECT_EQ(skel.bss->bss_hits, 1u);
  EXPECT_EQ(skel.bss->bss_last_value, 30u);
  EXPECT_EQ(skel.bss->bss_stats.packets, 11u);
  EXPECT_EQ(skel.bss->bss_stats.level, 1000u);
  EXPECT_EQ(skel.data->data_counter, 9u);
  EXPECT_EQ(skel.data_custom->custom_value, 43u);

  // A packed struct in an array map named `delete`.
  std::optional<types::packed_rec> rec = skel.maps.delete_.lookup(0);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->tag, 9);
  EXPECT_EQ(rec->value, 0x01020304u);
  EXPECT_EQ(rec->more, 2);

  // Enum bit-fields, a field named errno.
  EXPECT_EQ(skel.bss->bss_flags.c, static_cast<std::uint32_t>(types::color::BLUE));
  EXPECT_EQ(skel.bss->bss_flags.s, static_cast<std::int32_t>(types::sign::SIGN_POSITIVE));
  EXPECT_EQ(skel.bss->bss_flags.x, 7);
  EXPECT_EQ(skel.bss->bss_flags.errno_, -2);

  // Typed ring buffer events.
  std::vector<types::event> events;
  skel.maps.events.consume([&](const types::event& e) { events.push_back(e); });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, 1u);
  EXPECT_EQ(events[0].value, 3u);
  EXPECT_STREQ(events[0].tag, "layout!");
  EXPECT_EQ(skel.maps.raw_events.consume([](std::span<const std::byte>) {}), 0);
}

TEST(RoundTrip, OtherMapKinds) {
  skeleton skel = skeleton::open();
  LOAD_OR_SKIP(skel);

  // Sizes without BTF types: byte arrays.
  std::array<std::uint8_t, 4> key{1, 2, 3, 4};
  std::array<std::uint8_t, 12> value{};
  value[11] = 0xaa;
  skel.maps.raw.update(key, value);
  EXPECT_EQ(skel.maps.raw.lookup(key), value);

  // A typedef'd char[16] value, as std::array; the program changes [0].
  std::array<char, 16> name{};
  std::memcpy(name.data(), "hello", 6);
  skel.maps.names.update(0, name);
  run_classify(skel);
  std::optional<std::array<char, 16>> changed = skel.maps.names.lookup(0);
  ASSERT_TRUE(changed.has_value());
  EXPECT_STREQ(changed->data(), "Zello");

  types::anon_key_key_t anon{};
  anon.id = 5;
  anon.port = 80;
  skel.maps.anon_key.update(anon, 123);
  EXPECT_EQ(skel.maps.anon_key.lookup(anon), std::optional<types::__u64>(123));

  types::anon_typedef_t per_cpu_value{};
  per_cpu_value.b = 99;
  skel.maps.percpu.update(0, per_cpu_value);
  std::optional<std::vector<types::anon_typedef_t>> values = skel.maps.percpu.lookup(0);
  ASSERT_TRUE(values.has_value());
  ASSERT_EQ(values->size(), skel.maps.percpu.cpus());
  EXPECT_EQ(values->back().b, 99u);

  skel.maps.queue.push(17);
  EXPECT_EQ(skel.maps.queue.pop(), std::optional<types::__u32>(17));
}

TEST(RoundTrip, HostWritesToGlobalsReachTheProgram) {
  skeleton skel = skeleton::open();
  LOAD_OR_SKIP(skel);
  skel.data->data_counter = 100;  // the program adds its hidden static (2)
  run_classify(skel);
  EXPECT_EQ(skel.data->data_counter, 102u);
  skel.bss->bss_hits = 40;
  run_classify(skel);
  EXPECT_EQ(skel.bss->bss_hits, 41u);
}

TEST(RoundTrip, OpenAndLoadThenMove) {
  std::optional<skeleton> loaded;
  try {
    loaded.emplace(skeleton::open_and_load());
  } catch (const bpfkit::error& e) {
    if (lacks_privileges(e)) GTEST_SKIP() << "cannot load: " << e.what();
    throw;
  }
  skeleton first = std::move(*loaded);
  EXPECT_EQ(loaded->bss, nullptr);  // moved from
  // The moved-from skeleton's maps and programs no longer reach the object.
  EXPECT_THROW(loaded->maps.flows.count(), bpfkit::error);
  EXPECT_THROW(loaded->progs.classify.fd(), bpfkit::error);
  run_classify(first);
  ASSERT_NE(first.bss, nullptr);
  EXPECT_EQ(first.bss->bss_hits, 1u);

  skeleton second = skeleton::open();
  second = std::move(first);
  EXPECT_EQ(first.bss, nullptr);
  EXPECT_THROW(first.maps.flows.count(), bpfkit::error);
  EXPECT_EQ(run_classify(second).retval, 3u);
  EXPECT_EQ(second.bss->bss_hits, 2u);
  EXPECT_EQ(second.maps.flows.count(), 0u);
}

TEST(RoundTrip, AttachCountsAndDetachStops) {
  skeleton skel = skeleton::open();
  LOAD_OR_SKIP(skel);
  try {
    skel.attach();
  } catch (const bpfkit::error& e) {
    if (lacks_privileges(e)) GTEST_SKIP() << "cannot attach: " << e.what();
    throw;
  }
  EXPECT_TRUE(skel.links.count_syscalls);  // raw_tp/sys_enter: attached by its SEC()
  EXPECT_FALSE(skel.links.classify);       // tc needs an interface: left alone
  std::uint32_t before = skel.data_custom->this_;
  for (int i = 0; i < 10; ++i) (void)getppid();
  EXPECT_GE(skel.data_custom->this_ - before, 10u);

  skel.detach();
  EXPECT_FALSE(skel.links.count_syscalls);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::uint32_t after = skel.data_custom->this_;
  for (int i = 0; i < 10; ++i) (void)getppid();
  EXPECT_EQ(skel.data_custom->this_, after);
}

}  // namespace
