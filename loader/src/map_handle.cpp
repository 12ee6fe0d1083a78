#include "bpfkit/map_handle.hpp"

#include <bpf/libbpf.h>

#include <cerrno>

#include "bpfkit/error.hpp"
#include "map_checks.hpp"
#include "state.hpp"

namespace bpfkit {
namespace {

std::string quoted(std::string_view name) { return "map '" + std::string(name) + "'"; }

// Throws unless the result of a lookup-like call is "found" (0) or "absent".
bool found(int err, const map_handle& map, std::string_view operation) {
  if (err == 0) return true;
  if (err == -ENOENT) return false;
  throw error(err, std::string(operation) + " in " + quoted(map.name()));
}

}  // namespace

::bpf_map* map_handle::require() const {
  if (!map_) throw error(EINVAL, "bpfkit::map_handle is not bound to a map");
  return map_;
}

int map_handle::require_fd(std::string_view operation) const {
  int fd = map_handle::fd();
  // libbpf reports a map that does not exist yet as ENOENT, which would read
  // as "no such key": say what is wrong instead.
  if (fd < 0)
    throw error(EBADF, std::string(operation) + " in " + quoted(name()) +
                           ": the object is not loaded yet (call load() first)");
  return fd;
}

std::string_view map_handle::name() const { return bpf_map__name(require()); }
int map_handle::fd() const {
  int fd = bpf_map__fd(require());
  return fd < 0 ? -1 : fd;
}
map_type map_handle::type() const { return static_cast<map_type>(bpf_map__type(require())); }
std::uint32_t map_handle::key_size() const { return bpf_map__key_size(require()); }
std::uint32_t map_handle::value_size() const { return bpf_map__value_size(require()); }
std::uint32_t map_handle::max_entries() const { return bpf_map__max_entries(require()); }
std::uint32_t map_handle::flags() const { return bpf_map__map_flags(require()); }

namespace {

void require_unloaded(const map_handle& map, const std::string& what) {
  if (map.fd() >= 0)
    throw error(EBUSY, what + ": the object is already loaded; resize maps between open() and load()");
}

}  // namespace

void map_handle::set_max_entries(std::uint32_t entries) const {
  const std::string what = "set max_entries of " + detail::describe(*this) + " to " + std::to_string(entries);
  require_unloaded(*this, what);
  if (entries == 0) throw error(EINVAL, what + ": a map holds at least one entry");
  if (int err = bpf_map__set_max_entries(require(), entries); err != 0) throw error(err, what);
}

void map_handle::set_value_size(std::uint32_t bytes) const {
  const std::string what = "set the value size of " + detail::describe(*this) + " to " + std::to_string(bytes);
  require_unloaded(*this, what);
  if (bytes == 0) throw error(EINVAL, what + ": a value holds at least one byte");
  // libbpf creates stack-trace maps without BTF; other maps keep the value
  // type their BTF gives them, whose size is fixed.
  if (bpf_map__is_internal(require()))
    throw error(EINVAL, what + ": a global data section's size is its variables'");
  if (type() != map_type::stack_trace && bpf_map__btf_value_type_id(require()) != 0)
    throw error(EINVAL, what + ": its BTF gives the value a type, whose size is fixed; declare "
                              "the map with __uint(value_size, N) to size it at run time");
  if (int err = bpf_map__set_value_size(require(), bytes); err != 0) throw error(err, what);
}

void map_handle::pin(const std::string& path) const {
  if (int err = bpf_map__pin(require(), path.c_str()); err != 0)
    throw error(err, "pin " + quoted(name()) + " at " + path);
}

void map_handle::unpin(const std::string& path) const {
  if (int err = bpf_map__unpin(require(), path.empty() ? nullptr : path.c_str()); err != 0)
    throw error(err, "unpin " + quoted(name()) + (path.empty() ? "" : " from " + path));
}

bool map_handle::lookup_bytes(std::span<const std::byte> key, std::span<std::byte> value) const {
  require_fd("look up an element");
  detail::check_entry_sizes(*this, key.size(), value.size());
  return found(bpf_map__lookup_elem(map_, key.data(), key.size(), value.data(), value.size(), 0),
               *this, "look up an element");
}

void map_handle::update_bytes(std::span<const std::byte> key, std::span<const std::byte> value,
                              update_flag flag) const {
  require_fd("update an element");
  detail::check_entry_sizes(*this, key.size(), value.size());
  if (int err = bpf_map__update_elem(map_, key.data(), key.size(), value.data(), value.size(),
                                     static_cast<std::uint64_t>(flag));
      err != 0)
    throw error(err, "update an element in " + quoted(name()));
}

bool map_handle::erase_bytes(std::span<const std::byte> key) const {
  require_fd("delete an element");
  detail::check_entry_sizes(*this, key.size(), std::nullopt);
  return found(bpf_map__delete_elem(map_, key.data(), key.size(), 0), *this, "delete an element");
}

bool map_handle::next_key_bytes(std::span<const std::byte> key, std::span<std::byte> next) const {
  require_fd("iterate");
  if (!key.empty()) detail::check_entry_sizes(*this, key.size(), std::nullopt);
  detail::check_entry_sizes(*this, next.size(), std::nullopt);
  return found(
      bpf_map__get_next_key(map_, key.empty() ? nullptr : key.data(), next.data(), next.size()),
      *this, "iterate");
}

bool map_handle::lookup_and_delete_bytes(std::span<const std::byte> key,
                                         std::span<std::byte> value) const {
  require_fd("take an element");
  detail::check_entry_sizes(*this, key.size(), value.size());
  return found(
      bpf_map__lookup_and_delete_elem(map_, key.data(), key.size(), value.data(), value.size(), 0),
      *this, "take an element");
}

}  // namespace bpfkit
