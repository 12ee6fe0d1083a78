// Typed map operations of a bpfkit skeleton against the raw libbpf calls
// they wrap, on the same map: tc_flowcount's `flows` (a hash map with a
// 16-byte struct key and a 32-byte struct value). bench/run runs it with
// interleaved repetitions and reports typed / raw: map_ops_vs_raw_libbpf.
// Needs the privilege to load BPF objects.
#include <bpf/bpf.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <optional>

#include "tc_flowcount.skel.hpp"

namespace {

using flow_key = tc_flowcount::types::flow_key;
using flow_counters = tc_flowcount::types::flow_counters;

std::optional<tc_flowcount::skeleton> loaded;

flow_key key_of(std::uint32_t i) {
  flow_key key{};
  key.saddr = 0x0a000000u + i;
  key.daddr = 0x0a000001u;
  key.sport = static_cast<std::uint16_t>(i);
  key.dport = 53;
  key.proto = 17;
  key.family = 4;
  return key;
}

constexpr std::uint32_t entries = 256;

void typed_lookup(benchmark::State &state) {
  auto &flows = loaded->maps.flows;
  std::uint32_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(flows.lookup(key_of(i++ % entries)));
}

void raw_lookup(benchmark::State &state) {
  const int fd = loaded->maps.flows.handle().fd();
  std::uint32_t i = 0;
  flow_counters value{};
  for (auto _ : state) {
    flow_key key = key_of(i++ % entries);
    benchmark::DoNotOptimize(bpf_map_lookup_elem(fd, &key, &value));
  }
}

void typed_update(benchmark::State &state) {
  auto &flows = loaded->maps.flows;
  std::uint32_t i = 0;
  flow_counters value{};
  for (auto _ : state) {
    value.packets = i;
    flows.update(key_of(i++ % entries), value);
  }
}

void raw_update(benchmark::State &state) {
  const int fd = loaded->maps.flows.handle().fd();
  std::uint32_t i = 0;
  flow_counters value{};
  for (auto _ : state) {
    value.packets = i;
    flow_key key = key_of(i++ % entries);
    benchmark::DoNotOptimize(bpf_map_update_elem(fd, &key, &value, BPF_ANY));
  }
}

BENCHMARK(typed_lookup);
BENCHMARK(raw_lookup);
BENCHMARK(typed_update);
BENCHMARK(raw_update);

}  // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  try {
    loaded.emplace(tc_flowcount::skeleton::open_and_load());
    flow_counters value{};
    for (std::uint32_t i = 0; i < entries; ++i) loaded->maps.flows.update(key_of(i), value);
  } catch (const bpfkit::error &e) {
    std::fprintf(stderr, "map_ops_benchmark: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  loaded.reset();
  return 0;
}
