// bpfkit::map_handle, an untyped view of one map of a bpfkit::object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bpfkit/map_type.hpp"

struct bpf_map;  // libbpf's; <bpfkit/libbpf.hpp> reaches it

namespace bpfkit {

namespace detail {
struct object_state;
struct access;
}  // namespace detail

// What update() does when the key exists, or not (the kernel's BPF_ANY,
// BPF_NOEXIST, BPF_EXIST).
enum class update_flag : std::uint64_t {
  any = 0,       // create or replace
  no_exist = 1,  // only create: fails (EEXIST) when the key exists
  exist = 2,     // only replace: fails (ENOENT) when it does not
};

// Non-owning and copyable: valid while its object lives. Sizes and type are
// known from open() on; reading and writing entries needs a loaded object.
// Every failure throws bpfkit::error naming the map.
class map_handle {
 public:
  map_handle() noexcept = default;  // bound to no map; every call throws

  std::string_view name() const;
  int fd() const;  // -1 before the object is loaded
  map_type type() const;
  std::uint32_t key_size() const;
  std::uint32_t value_size() const;  // of one CPU's value for per-CPU maps
  std::uint32_t max_entries() const;
  std::uint32_t flags() const;  // BPF_F_* of the map's definition

  // Between open() and load() (after load they throw EBUSY): how many
  // entries the map holds (ring buffers: bytes, a power-of-2 multiple of
  // the page size), and the value size of a map whose BTF leaves it open (a
  // stack-trace map, or a map declared with key_size/value_size only); a
  // map whose BTF gives a value type keeps its size (EINVAL).
  void set_max_entries(std::uint32_t entries) const;
  void set_value_size(std::uint32_t bytes) const;

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
                    update_flag flag = update_flag::any) const;
  bool erase_bytes(std::span<const std::byte> key) const;  // false when absent
  // The key after `key` (the first key when `key` is empty); false at the end.
  bool next_key_bytes(std::span<const std::byte> key, std::span<std::byte> next) const;
  // Reads and removes in one step: how queue and stack maps pop.
  bool lookup_and_delete_bytes(std::span<const std::byte> key, std::span<std::byte> value) const;

 private:
  friend struct detail::access;
  map_handle(detail::object_state* owner, ::bpf_map* map) noexcept : owner_(owner), map_(map) {}
  ::bpf_map* require() const;
  int require_fd(std::string_view operation) const;

  detail::object_state* owner_ = nullptr;
  ::bpf_map* map_ = nullptr;
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
