// bpfkit::map_handle, an untyped view of one map of a bpfkit::object.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bpfkit {

// Non-owning and copyable: valid while its object lives. Sizes and type are
// known from open() on; reading and writing entries needs a loaded object.
// Every failure throws bpfkit::error naming the map.
class map_handle {
 public:
  map_handle() noexcept = default;  // bound to no map; every call throws
  explicit map_handle(bpf_map* map) noexcept : map_(map) {}

  std::string_view name() const;
  int fd() const;  // -1 before the object is loaded
  bpf_map_type type() const;
  std::uint32_t key_size() const;
  std::uint32_t value_size() const;  // of one CPU's value for per-CPU maps
  std::uint32_t max_entries() const;
  bpf_map* get() const noexcept { return map_; }

  void pin(const std::string& path) const;
  // Removes the pin at `path`, or at the path given to pin() when empty.
  void unpin(const std::string& path = {}) const;

  // Entries as bytes, for code without the C++ types; the typed maps use
  // these. Spans must match the map's sizes (a per-CPU value is one
  // 8-byte-aligned slot per possible CPU). An empty key means "no key"
  // (queue/stack maps). Lookups return false when the key is absent (for
  // queue/stack maps: when they are empty).
  bool lookup_bytes(std::span<const std::byte> key, std::span<std::byte> value) const;
  void update_bytes(std::span<const std::byte> key, std::span<const std::byte> value,
                    std::uint64_t flags = BPF_ANY) const;
  bool erase_bytes(std::span<const std::byte> key) const;  // false when absent
  // The key after `key` (the first key when `key` is empty); false at the end.
  bool next_key_bytes(std::span<const std::byte> key, std::span<std::byte> next) const;
  // Reads and removes in one step: how queue and stack maps pop.
  bool lookup_and_delete_bytes(std::span<const std::byte> key, std::span<std::byte> value) const;

 private:
  bpf_map* require() const;
  int require_fd(std::string_view operation) const;

  bpf_map* map_ = nullptr;
};

namespace detail {

// The bytes of one trivially copyable object, for the *_bytes calls.
template <class T>
std::span<const std::byte> bytes_of(const T& value) noexcept {
  return std::as_bytes(std::span<const T, 1>(&value, 1));
}

template <class T>
std::span<std::byte> writable_bytes_of(T& value) noexcept {
  return std::as_writable_bytes(std::span<T, 1>(&value, 1));
}

}  // namespace detail
}  // namespace bpfkit
