// bpfkit::map_type: what kind of map a map is, and the facts that follow
// from it (whether values are per CPU, how the kernel lays them out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace bpfkit {

// The kernel's map types (enum bpf_map_type of <linux/bpf.h>, same values).
enum class map_type : std::uint32_t {
  unspec,
  hash,
  array,
  prog_array,
  perf_event_array,
  percpu_hash,
  percpu_array,
  stack_trace,
  cgroup_array,
  lru_hash,
  lru_percpu_hash,
  lpm_trie,
  array_of_maps,
  hash_of_maps,
  devmap,
  sockmap,
  cpumap,
  xskmap,
  sockhash,
  cgroup_storage,
  reuseport_sockarray,
  percpu_cgroup_storage,
  queue,
  stack,
  sk_storage,
  devmap_hash,
  struct_ops,
  ringbuf,
  inode_storage,
  task_storage,
  bloom_filter,
  user_ringbuf,
  cgrp_storage,
};

// libbpf's name of the type ("hash", "percpu_array", ...); "map type N" for
// a type this build does not know.
std::string map_type_name(map_type type);

// Each key holds one value per possible CPU.
bool is_per_cpu(map_type type) noexcept;

// Entries can be listed by key and looked up (not ring buffers, queues,
// stacks, bloom filters, perf event arrays, struct_ops or local storage).
bool has_keys(map_type type) noexcept;

// The kernel lays a per-CPU value out as one slot per possible CPU, each
// 8-byte aligned: this is the size of one slot.
constexpr std::size_t percpu_slot_size(std::size_t value_size) noexcept {
  return (value_size + 7) / 8 * 8;
}

// Possible CPUs (/sys/devices/system/cpu/possible): the number of values a
// per-CPU map holds per key. Throws bpfkit::error when it cannot be read.
std::size_t possible_cpus();

}  // namespace bpfkit
