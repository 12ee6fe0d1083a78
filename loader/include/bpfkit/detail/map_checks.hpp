// Checks the typed maps run before they touch a map (implementation detail).
#pragma once

#include <cstddef>

#include "bpfkit/map_handle.hpp"

namespace bpfkit::detail {

// What a typed map class expects the BPF map to be.
enum class map_kind { keyed, percpu, queue, stack, ring_buffer, perf_event_array };

// Throws bpfkit::error, naming the map, the sizes or the right bpfkit class,
// unless `map` is a `kind` map with `key_size`-byte keys and `value_size`-byte
// values (one CPU's value for per-CPU maps). Ring buffers and perf event
// arrays have no entries: their sizes are not checked.
void check_map(const map_handle& map, map_kind kind, std::size_t key_size, std::size_t value_size);

// Possible CPUs: the number of values a per-CPU map holds per key.
std::size_t possible_cpus();

// The kernel lays per-CPU values out 8-byte aligned, one slot per CPU.
constexpr std::size_t percpu_slot_size(std::size_t value_size) noexcept {
  return (value_size + 7) / 8 * 8;
}

}  // namespace bpfkit::detail
