// Size checks of the untyped map_handle calls.
#pragma once

#include <cstddef>
#include <optional>

#include "bpfkit/detail/map_checks.hpp"

namespace bpfkit::detail {

// Throws bpfkit::error unless `key_bytes` (and `value_bytes`, when given) are
// what the map takes: key_size, and value_size (per-CPU: one 8-byte-aligned
// slot per possible CPU).
void check_entry_sizes(const map_handle& map, std::size_t key_bytes,
                       std::optional<std::size_t> value_bytes);

}  // namespace bpfkit::detail
