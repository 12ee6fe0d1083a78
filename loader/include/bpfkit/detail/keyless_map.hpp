// The shared body of queue_map and stack_map (implementation detail).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit::detail {

// A map of values without keys: the kernel decides which value pop() and
// peek() see (oldest for a queue, newest for a stack).
template <class V, map_kind Kind>
class keyless_map {
  static_assert(std::is_trivially_copyable_v<V>, "map values are copied as bytes");

 public:
  using value_type = V;

  keyless_map() = default;  // bound to no map; every call throws
  explicit keyless_map(map_handle map) : map_(map) { expect_map(map_, Kind, 0, sizeof(V)); }

  // update_flag::any fails when full (E2BIG); update_flag::exist drops the oldest value.
  void push(const V& value, update_flag flag = update_flag::any) const {
    map_.update_bytes({}, bytes_of(value), flag);
  }

  std::optional<V> pop() const {
    V value{};
    if (!map_.lookup_and_delete_bytes({}, writable_bytes_of(value))) return std::nullopt;
    return value;
  }

  std::optional<V> peek() const {
    V value{};
    if (!map_.lookup_bytes({}, writable_bytes_of(value))) return std::nullopt;
    return value;
  }

  void set_max_entries(std::uint32_t entries) const { map_.set_max_entries(entries); }
  const map_handle& handle() const noexcept { return map_; }

 private:
  map_handle map_;
};

}  // namespace bpfkit::detail
