// bpfkit::stack_trace_map: the stacks a BPF_MAP_TYPE_STACK_TRACE map holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/detail/map_iterator.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {

// A stack-trace map: bpf_get_stackid() stores a stack under its id and
// returns the id. Each value is an array of instruction pointers (8 bytes
// each), as deep as the map's value size says. libbpf-tools declare the map
// with only a key type and size the value at run time, which the open ->
// adjust -> load flow does:
//
//   auto skel = profile::skeleton::open();
//   skel.maps.stackmap.set_value_size(127 * sizeof(std::uint64_t));  // frames
//   skel.maps.stackmap.set_max_entries(16384);
//   skel.load();
//
// load() throws unless the value size is then a whole number of frames.
class stack_trace_map {
 public:
  using key_type = std::uint32_t;  // the stack id
  using value_type = std::vector<std::uint64_t>;
  using iterator = detail::map_iterator<stack_trace_map>;

  stack_trace_map() = default;  // bound to no map; every call throws
  explicit stack_trace_map(map_handle map) : map_(map) {
    detail::expect_map(map_, detail::map_kind::stack_trace, sizeof(key_type), 0);
  }

  // The frames of stack `id`, innermost first; the kernel fills the unused
  // depth with zeros, which are dropped.
  std::optional<std::vector<std::uint64_t>> lookup(key_type id) const {
    std::vector<std::uint64_t> frames(map_.value_size() / sizeof(std::uint64_t));
    if (!map_.lookup_bytes(detail::bytes_of(id), std::as_writable_bytes(std::span(frames))))
      return std::nullopt;
    while (!frames.empty() && frames.back() == 0) frames.pop_back();
    return frames;
  }

  bool erase(key_type id) const { return map_.erase_bytes(detail::bytes_of(id)); }
  std::size_t count() const { return detail::count_keys<key_type>(map_); }

  iterator begin() const { return iterator(*this); }
  detail::map_end end() const noexcept { return {}; }

  // Before load(): the depth (value size in bytes, 8 per frame) and the
  // number of stacks the map can hold.
  void set_value_size(std::uint32_t bytes) const { map_.set_value_size(bytes); }
  void set_max_entries(std::uint32_t entries) const { map_.set_max_entries(entries); }
  const map_handle& handle() const noexcept { return map_; }

 private:
  map_handle map_;
};

}  // namespace bpfkit
