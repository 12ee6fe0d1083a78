// The check every typed map makes of its map (implementation detail).
#pragma once

#include <cstddef>

#include "bpfkit/map_handle.hpp"

namespace bpfkit::detail {

// What a typed map class expects the BPF map to be.
enum class map_kind { keyed, percpu, queue, stack, stack_trace, ring_buffer, perf_event_array };

// Throws bpfkit::error, naming the map and the right bpfkit class, unless
// `map` is a `kind` map. Its key and value sizes (one CPU's value for
// per-CPU maps; for stack_trace, `value_size` 0 takes any whole number of
// 8-byte frames) are checked against `key_size` and `value_size` now when
// its object is loaded, else by load(), on the sizes the map has then (they
// may change until load: set_value_size, set_max_entries). Ring buffers and
// perf event arrays have no entries: their sizes are not checked.
void expect_map(const map_handle& map, map_kind kind, std::size_t key_size, std::size_t value_size);

// Throws bpfkit::error (EINVAL) for a per-CPU update given `given` values
// where the map holds one per possible CPU (`cpus`).
[[noreturn]] void throw_percpu_values(const map_handle& map, std::size_t given, std::size_t cpus);

}  // namespace bpfkit::detail
