// bpfkit::hash_map<K, V>: typed access to a map with one value per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/detail/map_iterator.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {

// For hash, LRU hash, array (K = std::uint32_t), LPM trie and cgroup storage
// maps, or any other map whose entries are plain key/value bytes. K and V
// must have the layout of the BPF side's types. The constructor throws
// bpfkit::error when the map needs another class (per-CPU, queue, stack,
// ring buffer, ...); a key or value size that differs from sizeof(K) or
// sizeof(V) throws when the object loads (or at once when it is loaded).
template <class K, class V>
class hash_map {
  static_assert(std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>,
                "map keys and values are copied as bytes");

 public:
  using key_type = K;
  using value_type = V;
  using iterator = detail::map_iterator<hash_map>;

  hash_map() = default;  // bound to no map; every call throws
  explicit hash_map(map_handle map) : map_(map) {
    detail::expect_map(map_, detail::map_kind::keyed, sizeof(K), sizeof(V));
  }

  std::optional<V> lookup(const K& key) const {
    V value{};
    if (!map_.lookup_bytes(detail::bytes_of(key), detail::writable_bytes_of(value)))
      return std::nullopt;
    return value;
  }

  void update(const K& key, const V& value, update_flag flag = update_flag::any) const {
    map_.update_bytes(detail::bytes_of(key), detail::bytes_of(value), flag);
  }

  bool erase(const K& key) const { return map_.erase_bytes(detail::bytes_of(key)); }

  // Entries, counted by walking the keys (an array map always has max_entries).
  std::size_t count() const { return detail::count_keys<K>(map_); }

  iterator begin() const { return iterator(*this); }
  detail::map_end end() const noexcept { return {}; }

  // Before load(): see map_handle::set_max_entries.
  void set_max_entries(std::uint32_t entries) const { map_.set_max_entries(entries); }
  const map_handle& handle() const noexcept { return map_; }

 private:
  map_handle map_;
};

}  // namespace bpfkit
