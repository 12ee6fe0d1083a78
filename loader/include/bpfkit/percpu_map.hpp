// bpfkit::percpu_map<K, V>: typed access to per-CPU hash and array maps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/detail/map_iterator.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/map_type.hpp"

namespace bpfkit {

// Per-CPU hash, per-CPU array, LRU per-CPU hash and per-CPU cgroup storage
// maps: each key holds one V per possible CPU (possible_cpus(), index = CPU
// number). The kernel pads each CPU's value to 8 bytes; this class hides the
// padding. Checks the map like hash_map.
template <class K, class V>
class percpu_map {
  static_assert(std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>,
                "map keys and values are copied as bytes");

 public:
  using key_type = K;
  using value_type = std::vector<V>;
  using iterator = detail::map_iterator<percpu_map>;

  percpu_map() = default;  // bound to no map; every call throws
  explicit percpu_map(map_handle map) : map_(map), cpus_(possible_cpus()) {
    detail::expect_map(map_, detail::map_kind::percpu, sizeof(K), sizeof(V));
  }

  std::size_t cpus() const noexcept { return cpus_; }

  std::optional<std::vector<V>> lookup(const K& key) const {
    std::vector<std::byte> slots(slot * cpus_);
    if (!map_.lookup_bytes(detail::bytes_of(key), slots)) return std::nullopt;
    std::vector<V> values(cpus_);
    for (std::size_t cpu = 0; cpu < cpus_; ++cpu)
      std::memcpy(&values[cpu], slots.data() + cpu * slot, sizeof(V));
    return values;
  }

  // One value per possible CPU: values.size() must be cpus().
  void update(const K& key, std::span<const V> values, update_flag flag = update_flag::any) const {
    if (values.size() != cpus_) detail::throw_percpu_values(map_, values.size(), cpus_);
    std::vector<std::byte> slots(slot * values.size());
    for (std::size_t cpu = 0; cpu < values.size(); ++cpu)
      std::memcpy(slots.data() + cpu * slot, &values[cpu], sizeof(V));
    map_.update_bytes(detail::bytes_of(key), slots, flag);
  }

  // The same value on every CPU.
  void update(const K& key, const V& value, update_flag flag = update_flag::any) const {
    std::vector<V> values(cpus_, value);
    update(key, std::span<const V>(values), flag);
  }

  bool erase(const K& key) const { return map_.erase_bytes(detail::bytes_of(key)); }

  std::size_t count() const { return detail::count_keys<K>(map_); }

  iterator begin() const { return iterator(*this); }
  detail::map_end end() const noexcept { return {}; }

  void set_max_entries(std::uint32_t entries) const { map_.set_max_entries(entries); }
  const map_handle& handle() const noexcept { return map_; }

 private:
  static constexpr std::size_t slot = percpu_slot_size(sizeof(V));

  map_handle map_;
  std::size_t cpus_ = 0;
};

}  // namespace bpfkit
