// bpfkit::map_view: a map in the kernel seen through its BTF, for code that
// reads and writes entries as text: a loaded object's map, a pinned map, or
// a map by id. The thin binding of bpfkit::map_codec (which knows nothing of
// fds) to one map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bpfkit/map_codec.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {

// Copyable; a view of a pinned map or a map by id holds the map open (its
// fd) for as long as a copy lives; a view of an object's map is valid while
// the object lives. Every failure throws bpfkit::error naming the map.
class map_view {
 public:
  using bytes = map_codec::bytes;

  // A loaded object's map, typed by the object's BTF (EBADF before load).
  static map_view of(const map_handle& map);
  // The map pinned at `path`, typed by the BTF the kernel holds for it.
  // Throws ENOENT when nothing is pinned there, EINVAL naming what is when
  // it is not a map, EPERM/EACCES without the privilege to open it.
  static map_view pinned(const std::string& path);
  // The map with kernel id `id` (ENOENT when there is none).
  static map_view by_id(std::uint32_t id);
  // The codec of an object's map, loaded or not (before load: to write
  // globals into its data sections).
  static map_codec codec_of(const map_handle& map);
  // A map fd the caller opened; the view takes it over (closes it). `name`
  // replaces the kernel's 15-character name, e.g. with libbpf's full one.
  static map_view adopt(int fd, std::string name = {});

  std::string_view name() const noexcept { return name_; }
  std::uint32_t id() const noexcept { return id_; }
  std::uint32_t btf_id() const noexcept { return btf_id_; }
  map_type type() const noexcept { return codec_.type(); }
  std::uint32_t max_entries() const noexcept { return max_entries_; }
  std::uint32_t flags() const noexcept { return flags_; }
  int fd() const noexcept { return fd_; }
  const map_codec& codec() const noexcept { return codec_; }
  // Entries can be listed and looked up by key.
  bool keyed() const noexcept { return has_keys(type()) && codec_.key_size() > 0; }

  // Lookups return the whole value (per-CPU: one slot per CPU: see
  // map_codec); nothing when the key is absent.
  std::optional<bytes> lookup(std::span<const std::uint8_t> key) const;
  void update(std::span<const std::uint8_t> key, std::span<const std::uint8_t> buffer,
              update_flag flag = update_flag::any) const;
  bool erase(std::span<const std::uint8_t> key) const;  // false when absent
  // Calls visit(key) for each key until it returns false.
  void for_each_key(const std::function<bool(std::span<const std::uint8_t>)>& visit) const;
  // Every entry, by the key's bytes (a hash changing while it is read stops
  // the walk past max_entries + 1024 keys).
  std::map<bytes, bytes> entries() const;
  std::size_t count() const;

  // "NAME[KEY]", the key as text.
  std::string where(std::span<const std::uint8_t> key) const;
  // Why a lookup of `key` found nothing, to append to "expected X, found no
  // entry": " (the map is empty)", " (the map has: k1, k2, k3, ...)", or,
  // when a key reads the same as `key` but differs in its bytes, the classic
  // BPF bug of a key struct whose padding was left uninitialised.
  std::string missing_key_note(std::span<const std::uint8_t> key) const;

 private:
  struct fd_owner;

  std::shared_ptr<fd_owner> owner_;  // null for an object's map
  int fd_ = -1;
  std::string name_;
  std::uint32_t id_ = 0;
  std::uint32_t btf_id_ = 0;
  std::uint32_t max_entries_ = 0;
  std::uint32_t flags_ = 0;
  map_codec codec_;
};

}  // namespace bpfkit
