// Range iteration over a typed map (implementation detail).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <utility>

#include "bpfkit/map_handle.hpp"

namespace bpfkit::detail {

// The end of a map's range (std::default_sentinel_t would need <iterator>,
// which every skeleton would pay for).
struct map_end {};

// Walks the keys with BPF_MAP_GET_NEXT_KEY and reads each entry with
// `Map::lookup`, yielding std::pair<key, value>. Compares equal to map_end
// at the end. Entries deleted while walking are skipped; as in the kernel,
// deleting the current key of a hash map makes the walk start over.
template <class Map>
class map_iterator {
 public:
  using key_type = typename Map::key_type;
  using mapped_type = typename decltype(std::declval<const Map&>().lookup(
      std::declval<const key_type&>()))::value_type;
  using value_type = std::pair<key_type, mapped_type>;
  using difference_type = std::ptrdiff_t;

  map_iterator() = default;
  explicit map_iterator(const Map& map) : map_(&map) { advance(nullptr); }

  const value_type& operator*() const { return *current_; }
  const value_type* operator->() const { return &*current_; }

  map_iterator& operator++() {
    key_type from = current_->first;
    advance(&from);
    return *this;
  }
  void operator++(int) { ++*this; }

  friend bool operator==(const map_iterator& it, map_end) { return !it.current_; }

 private:
  void advance(const key_type* from) {
    current_.reset();
    key_type key{};
    std::optional<key_type> cursor;
    if (from) cursor = *from;
    while (map_->handle().next_key_bytes(cursor ? bytes_of(*cursor) : std::span<const std::byte>(),
                                         writable_bytes_of(key))) {
      if (auto value = map_->lookup(key)) {
        current_.emplace(key, std::move(*value));
        return;
      }
      cursor = key;
    }
  }

  const Map* map_ = nullptr;
  std::optional<value_type> current_;
};

// How many keys the map holds, walking the keys only.
template <class K>
std::size_t count_keys(const map_handle& map) {
  K key{};
  std::optional<K> cursor;
  std::size_t n = 0;
  while (map.next_key_bytes(cursor ? bytes_of(*cursor) : std::span<const std::byte>(),
                            writable_bytes_of(key))) {
    ++n;
    cursor = key;
  }
  return n;
}

}  // namespace bpfkit::detail
