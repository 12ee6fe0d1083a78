// Every typed map class against its kind of kernel map: values written from
// here come back, values the BPF side writes arrive, and layouts that do not
// match are refused with a message that says why.
#include <bpf/libbpf.h>

#include <array>
#include <cstring>
#include <map>
#include <numeric>
#include <vector>

#include "bpf_test.hpp"
#include "runtime_types.h"

namespace runtime_test {
namespace {

using namespace std::chrono_literals;

class map_test : public bpf_test {
 protected:
  void SetUp() override {
    bpf_test::SetUp();
    if (IsSkipped()) return;
    object = load(RUNTIME_MAPS_OBJECT);
  }

  void run(const char* program, int times = 1) {
    std::vector<std::uint8_t> packet(64, 0x5a);
    for (int i = 0; i < times; ++i) object.program_by_name(program).test_run({.data_in = packet});
  }

  bpfkit::object object;
};

TEST_F(map_test, HashRoundTripsIteratesAndErases) {
  bpfkit::hash_map<std::uint32_t, std::uint64_t> hash(object.map_by_name("hash"));
  hash.update(1, 10);
  hash.update(2, 20);
  EXPECT_EQ(hash.lookup(1), 10u);
  EXPECT_EQ(hash.lookup(2), 20u);
  EXPECT_EQ(hash.lookup(3), std::nullopt);
  EXPECT_EQ(hash.count(), 2u);

  std::map<std::uint32_t, std::uint64_t> seen;
  for (auto [key, value] : hash) seen[key] = value;
  EXPECT_EQ(seen, (std::map<std::uint32_t, std::uint64_t>{{1, 10}, {2, 20}}));

  EXPECT_TRUE(hash.erase(1));
  EXPECT_FALSE(hash.erase(1));
  EXPECT_EQ(hash.count(), 1u);
}

TEST_F(map_test, HashUpdateFlagsAreTheKernels) {
  bpfkit::hash_map<std::uint32_t, std::uint64_t> hash(object.map_by_name("hash"));
  hash.update(5, 1, bpfkit::update_flag::no_exist);
  try {
    hash.update(5, 2, bpfkit::update_flag::no_exist);
    FAIL() << "update_flag::no_exist on an existing key must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
    EXPECT_NE(std::string(e.what()).find("map 'hash'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(hash.lookup(5), 1u);
}

TEST_F(map_test, LruKeepsTheNewestWithinCapacity) {
  bpfkit::hash_map<std::uint32_t, std::uint64_t> lru(object.map_by_name("lru"));
  for (std::uint32_t key = 0; key < 32; ++key) lru.update(key, key * 100);
  EXPECT_LE(lru.count(), lru.handle().max_entries());
  EXPECT_EQ(lru.lookup(31), 3100u);
  for (auto [key, value] : lru) EXPECT_EQ(value, key * 100u);
}

TEST_F(map_test, ArrayHasEveryIndexAndCannotErase) {
  bpfkit::hash_map<std::uint32_t, triple> array(object.map_by_name("array"));
  EXPECT_EQ(array.count(), 8u);
  array.update(3, {1, 2, 3});
  auto value = array.lookup(3);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->a, 1u);
  EXPECT_EQ(value->b, 2u);
  EXPECT_EQ(value->c, 3u);
  EXPECT_EQ(array.lookup(0)->a, 0u);
  EXPECT_EQ(array.lookup(8), std::nullopt);
  EXPECT_THROW(array.erase(3), bpfkit::error);  // arrays have no deletion (EINVAL)
}

TEST_F(map_test, PercpuHashHoldsOneValuePerPossibleCpu) {
  bpfkit::percpu_map<std::uint32_t, std::uint32_t> percpu(object.map_by_name("percpu_hash"));
  const auto cpus = static_cast<std::size_t>(libbpf_num_possible_cpus());
  ASSERT_EQ(percpu.cpus(), cpus);

  std::vector<std::uint32_t> values(cpus);
  std::iota(values.begin(), values.end(), 100u);
  percpu.update(1, values);
  EXPECT_EQ(percpu.lookup(1), values);
  percpu.update(2, 5u);
  EXPECT_EQ(percpu.lookup(2), std::vector<std::uint32_t>(cpus, 5u));
  EXPECT_EQ(percpu.lookup(3), std::nullopt);

  std::map<std::uint32_t, std::vector<std::uint32_t>> seen;
  for (const auto& [key, per_cpu] : percpu) seen[key] = per_cpu;
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], values);
  EXPECT_TRUE(percpu.erase(1));
  EXPECT_EQ(percpu.count(), 1u);

  // The BPF side counts on the CPU it ran on; the CPUs add up to the runs.
  run("count_per_cpu", 10);
  auto counted = percpu.lookup(7);
  ASSERT_TRUE(counted);
  ASSERT_EQ(counted->size(), cpus);
  EXPECT_EQ(std::accumulate(counted->begin(), counted->end(), 0u), 10u);
}

TEST_F(map_test, PercpuArrayUnpadsTwelveByteValues) {
  bpfkit::percpu_map<std::uint32_t, triple> percpu(object.map_by_name("percpu_array"));
  std::vector<triple> values;
  for (std::uint32_t cpu = 0; cpu < percpu.cpus(); ++cpu)
    values.push_back({cpu + 1, (cpu + 1) * 10, (cpu + 1) * 100});
  percpu.update(1, values);
  auto back = percpu.lookup(1);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), values.size());
  for (std::size_t cpu = 0; cpu < values.size(); ++cpu) {
    EXPECT_EQ((*back)[cpu].a, values[cpu].a) << "cpu " << cpu;
    EXPECT_EQ((*back)[cpu].b, values[cpu].b) << "cpu " << cpu;
    EXPECT_EQ((*back)[cpu].c, values[cpu].c) << "cpu " << cpu;
  }

  run("count_per_cpu", 5);
  std::uint32_t runs = 0;
  auto counted = percpu.lookup(0);
  ASSERT_TRUE(counted);
  for (const triple& t : *counted) runs += t.a;
  EXPECT_EQ(runs, 5u);
}

TEST_F(map_test, PercpuUpdateNeedsOneValuePerCpu) {
  bpfkit::percpu_map<std::uint32_t, std::uint32_t> percpu(object.map_by_name("percpu_hash"));
  std::vector<std::uint32_t> one_too_many(percpu.cpus() + 1);
  try {
    percpu.update(1, one_too_many);
    FAIL() << "a wrong number of per-CPU values must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("one per possible CPU"), std::string::npos) << e.what();
  }
}

TEST_F(map_test, LpmTrieMatchesTheLongestPrefix) {
  bpfkit::hash_map<ipv4_prefix, std::uint32_t> routes(object.map_by_name("routes"));
  routes.update({8, {10, 0, 0, 0}}, 1);
  routes.update({16, {10, 1, 0, 0}}, 2);
  EXPECT_EQ(routes.lookup({32, {10, 1, 2, 3}}), 2u);
  EXPECT_EQ(routes.lookup({32, {10, 9, 9, 9}}), 1u);
  EXPECT_EQ(routes.lookup({32, {11, 0, 0, 1}}), std::nullopt);

  std::map<std::uint32_t, std::uint32_t> by_length;
  for (auto [prefix, value] : routes) by_length[prefix.prefixlen] = value;
  EXPECT_EQ(by_length, (std::map<std::uint32_t, std::uint32_t>{{8, 1}, {16, 2}}));
  EXPECT_TRUE(routes.erase({16, {10, 1, 0, 0}}));
  EXPECT_EQ(routes.lookup({32, {10, 1, 2, 3}}), 1u);
}

TEST_F(map_test, QueueIsFifoAndStackIsLifo) {
  bpfkit::queue_map<std::uint64_t> queue(object.map_by_name("queue"));
  bpfkit::stack_map<std::uint64_t> stack(object.map_by_name("stack"));
  for (std::uint64_t v : {7, 8, 9}) {
    queue.push(v);
    stack.push(v);
  }
  EXPECT_EQ(queue.peek(), 7u);
  EXPECT_EQ(stack.peek(), 9u);
  for (std::uint64_t v : {7, 8, 9}) EXPECT_EQ(queue.pop(), v);
  for (std::uint64_t v : {9, 8, 7}) EXPECT_EQ(stack.pop(), v);
  EXPECT_EQ(queue.pop(), std::nullopt);
  EXPECT_EQ(stack.peek(), std::nullopt);

  run("push_values");  // pushes 1, 2, 3 on both
  for (std::uint64_t v : {1, 2, 3}) EXPECT_EQ(queue.pop(), v);
  for (std::uint64_t v : {3, 2, 1}) EXPECT_EQ(stack.pop(), v);
}

TEST_F(map_test, RingBufferDeliversTypedEvents) {
  bpfkit::ring_buffer<event> events(object.map_by_name("events"));
  EXPECT_EQ(events.poll([](const event&) { ADD_FAILURE() << "no event was sent yet"; }, 0ms), 0);
  EXPECT_GE(events.epoll_fd(), 0);

  std::vector<std::uint8_t> packet(40, 0x11);
  for (std::uint8_t first : {0x21, 0x22, 0x23}) {
    packet[0] = first;
    object.program_by_name("emit_event").test_run({.data_in = packet});
  }
  std::vector<event> received;
  EXPECT_EQ(events.poll([&](const event& e) { received.push_back(e); }, 1000ms), 3);
  ASSERT_EQ(received.size(), 3u);
  for (std::size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].magic, EVENT_MAGIC);
    EXPECT_EQ(received[i].length, 40u);
    EXPECT_EQ(received[i].first_byte, 0x21 + i);
  }
}

TEST_F(map_test, RingBufferDeliversRawBytes) {
  bpfkit::ring_buffer<std::span<const std::byte>> events(object.map_by_name("events"));
  run("emit_event");
  std::vector<std::size_t> sizes;
  EXPECT_EQ(events.consume([&](std::span<const std::byte> bytes) {
    sizes.push_back(bytes.size());
    event e;
    std::memcpy(&e, bytes.data(), sizeof e);
    EXPECT_EQ(e.magic, EVENT_MAGIC);
  }),
            1);
  EXPECT_EQ(sizes, std::vector<std::size_t>{sizeof(event)});
}

TEST_F(map_test, RingBufferRefusesEventsOfAnotherSize) {
  bpfkit::ring_buffer<std::uint64_t> events(object.map_by_name("events"));
  run("emit_event");
  try {
    events.consume([](const std::uint64_t&) { ADD_FAILURE() << "a 16-byte event is no uint64"; });
    FAIL() << "an event of the wrong size must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("'events': an event of 16 bytes"), std::string::npos)
        << e.what();
  }
}

TEST_F(map_test, RingBufferPassesOnCallbackExceptions) {
  bpfkit::ring_buffer<event> events(object.map_by_name("events"));
  run("emit_event", 2);
  int calls = 0;
  EXPECT_THROW(events.consume([&](const event&) {
    ++calls;
    throw std::runtime_error("stop");
  }),
               std::runtime_error);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(events.consume([&](const event&) { ++calls; }), 1);  // the rest is still there
}

TEST_F(map_test, PerfEventArrayDeliversSamplesPerCpu) {
  bpfkit::perf_event_array samples(object.map_by_name("samples"));
  std::vector<event> received;
  std::vector<int> cpus;
  samples.open([&](int cpu, std::span<const std::byte> bytes) {
    ASSERT_GE(bytes.size(), sizeof(event));  // the kernel pads samples
    event e;
    std::memcpy(&e, bytes.data(), sizeof e);
    received.push_back(e);
    cpus.push_back(cpu);
  });
  std::vector<std::uint8_t> packet(50, 0x42);
  object.program_by_name("emit_sample").test_run({.data_in = packet});
  for (int i = 0; i < 20 && received.empty(); ++i) samples.poll(100ms);
  ASSERT_EQ(received.size(), 1u);
  object.program_by_name("emit_sample").test_run({.data_in = packet});
  samples.consume();  // what is there, without waiting
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].magic, EVENT_MAGIC);
  EXPECT_EQ(received[0].length, 50u);
  EXPECT_EQ(received[0].first_byte, 0x42);
  EXPECT_GE(cpus[0], 0);
  EXPECT_LT(cpus[0], libbpf_num_possible_cpus());
  EXPECT_EQ(samples.lost(), 0u);
}

TEST_F(map_test, GlobalsAreMapsToo) {
  bpfkit::hash_map<std::uint32_t, std::uint64_t> bss(object.map_by_name(".bss"));
  run("rewrite_packet", 3);
  EXPECT_EQ(bss.lookup(0), 3u);
}

// The constructor's check, and its message: map, sizes, what to use.
template <class Map>
std::string construction_error(const bpfkit::map_handle& map) {
  try {
    Map typed(map);
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::invalid_argument);
    return e.what();
  }
  ADD_FAILURE() << "constructing a typed map over '" << map.name() << "' did not throw";
  return {};
}

TEST_F(map_test, MismatchedLayoutsAreRefusedClearly) {
  std::string key = construction_error<bpfkit::hash_map<std::uint64_t, std::uint64_t>>(
      object.map_by_name("hash"));
  EXPECT_NE(key.find("map 'hash' (hash): its key is 4 bytes in the BPF object but the C++ key "
                     "type is 8 bytes"),
            std::string::npos)
      << key;
  std::string value = construction_error<bpfkit::hash_map<std::uint32_t, std::uint32_t>>(
      object.map_by_name("hash"));
  EXPECT_NE(value.find("its value is 8 bytes in the BPF object but the C++ value type is 4 bytes"),
            std::string::npos)
      << value;
  std::string percpu = construction_error<bpfkit::hash_map<std::uint32_t, std::uint32_t>>(
      object.map_by_name("percpu_hash"));
  EXPECT_NE(percpu.find("use bpfkit::percpu_map"), std::string::npos) << percpu;
  std::string queue =
      construction_error<bpfkit::queue_map<std::uint32_t>>(object.map_by_name("queue"));
  EXPECT_NE(queue.find("value is 8 bytes"), std::string::npos) << queue;
  std::string stack =
      construction_error<bpfkit::queue_map<std::uint64_t>>(object.map_by_name("stack"));
  EXPECT_NE(stack.find("use bpfkit::stack_map"), std::string::npos) << stack;
  std::string ring = construction_error<bpfkit::hash_map<std::uint32_t, std::uint32_t>>(
      object.map_by_name("events"));
  EXPECT_NE(ring.find("use bpfkit::ring_buffer"), std::string::npos) << ring;
}

TEST_F(map_test, UntypedAccessChecksSizes) {
  bpfkit::map_handle hash = object.map_by_name("hash");
  std::array<std::byte, 2> short_key{};
  std::array<std::byte, 8> value{};
  try {
    hash.lookup_bytes(short_key, value);
    FAIL() << "a 2-byte key for a 4-byte map must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("a key of 2 bytes was given, the map's keys are 4 bytes"),
              std::string::npos)
        << e.what();
  }
  std::uint32_t key = 9;
  std::uint64_t stored = 99;
  hash.update_bytes(bpfkit::detail::bytes_of(key), bpfkit::detail::bytes_of(stored));
  EXPECT_TRUE(hash.lookup_bytes(bpfkit::detail::bytes_of(key), value));
  std::uint64_t read;
  std::memcpy(&read, value.data(), sizeof read);
  EXPECT_EQ(read, 99u);
}

TEST_F(bpf_test, MapsNeedALoadedObject) {
  bpfkit::object opened = bpfkit::object::open_file(RUNTIME_MAPS_OBJECT);
  bpfkit::hash_map<std::uint32_t, std::uint64_t> hash(
      opened.map_by_name("hash"));  // sizes are known
  EXPECT_EQ(hash.handle().fd(), -1);
  try {
    hash.lookup(1);
    FAIL() << "a lookup before load() must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::bad_file_descriptor);
    EXPECT_NE(std::string(e.what()).find("not loaded yet"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace runtime_test
