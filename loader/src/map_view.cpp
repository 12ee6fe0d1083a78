#include "bpfkit/map_view.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "state.hpp"

namespace bpfkit {

struct map_view::fd_owner {
  explicit fd_owner(int descriptor) : fd(descriptor) {}
  ~fd_owner() { ::close(fd); }
  int fd;
};

namespace {

bool denied(int err) { return err == EPERM || err == EACCES; }

// What an fd refers to, by its anon inode's name.
std::string kind_of_fd(int fd) {
  char target[128] = "";
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(proc.c_str(), target, sizeof target - 1);
  std::string_view name(target, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (name == "anon_inode:bpf-map") return "map";
  if (name == "anon_inode:bpf-prog") return "program";
  if (name == "anon_inode:bpf-link" || name == "anon_inode:bpf_link") return "link";
  return "object";
}

std::shared_ptr<const ::btf> kernel_btf(std::uint32_t id, const std::string& map) {
  if (id == 0) return nullptr;
  try {
    return kernel::load_btf(id);
  } catch (const error& e) {
    if (int err = e.code().value(); denied(err))
      throw error(err, "read the BTF of map '" + map + "' (BTF id " + std::to_string(id) + ")");
    return nullptr;  // keys and values by size, then
  }
}

}  // namespace

map_codec map_view::codec_of(const map_handle& map) {
  ::bpf_map* raw = detail::access::raw(map);
  if (!raw) throw error(EINVAL, "bpfkit::map_handle is not bound to a map");
  detail::object_state* owner = detail::access::owner(map);
  const ::btf* types = owner ? bpf_object__btf(owner->obj.get()) : nullptr;
  // The object's BTF lives as long as the object: borrowed, not owned.
  return map_codec(std::shared_ptr<const ::btf>(types, [](const ::btf*) {}),
                   {map.type(), map.key_size(), map.value_size(), bpf_map__btf_key_type_id(raw),
                    bpf_map__btf_value_type_id(raw)});
}

map_view map_view::of(const map_handle& map) {
  if (map.fd() < 0)
    throw error(EBADF, "read map '" + std::string(map.name()) +
                           "': the object is not loaded yet (call load() first)");
  map_view view;
  view.fd_ = map.fd();
  view.name_ = std::string(map.name());
  view.max_entries_ = map.max_entries();
  view.flags_ = map.flags();
  bpf_map_info info{};
  __u32 size = sizeof info;
  if (bpf_obj_get_info_by_fd(view.fd_, &info, &size) == 0) {
    view.id_ = info.id;
    view.btf_id_ = info.btf_id;
  }
  view.codec_ = codec_of(map);
  return view;
}

map_view map_view::pinned(const std::string& path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) {
    int err = errno;
    throw error(err, "open the map pinned at " + path);
  }
  std::string kind = kind_of_fd(fd);
  if (kind != "map") {
    ::close(fd);
    throw error(EINVAL, path + " is a pinned " + kind + ", not a map");
  }
  return adopt(fd);
}

map_view map_view::by_id(std::uint32_t id) {
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) throw error(errno, "open the map with id " + std::to_string(id));
  return adopt(fd);
}

map_view map_view::adopt(int fd, std::string name) {
  map_view view;
  view.owner_ = std::make_shared<fd_owner>(fd);
  view.fd_ = fd;
  bpf_map_info info{};
  __u32 size = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0)
    throw error(errno, "read the info of map " + (name.empty() ? "fd " + std::to_string(fd) : "'" + name + "'"));
  view.name_ = name.empty() ? std::string(info.name) : std::move(name);
  view.id_ = info.id;
  view.btf_id_ = info.btf_id;
  view.max_entries_ = info.max_entries;
  view.flags_ = info.map_flags;
  view.codec_ = map_codec(kernel_btf(info.btf_id, view.name_),
                          {static_cast<map_type>(info.type), info.key_size, info.value_size,
                           info.btf_key_type_id, info.btf_value_type_id});
  return view;
}

std::optional<map_view::bytes> map_view::lookup(std::span<const std::uint8_t> key) const {
  bytes value(codec_.value_buffer_size());
  if (bpf_map_lookup_elem(fd_, key.data(), value.data()) == 0) return value;
  int err = errno;
  if (err == ENOENT) return std::nullopt;
  throw error(err, "look up " + where(key) + " (a " + map_type_name(type()) + " map)");
}

void map_view::update(std::span<const std::uint8_t> key, std::span<const std::uint8_t> buffer,
                      update_flag flag) const {
  if (buffer.size() != codec_.value_buffer_size())
    throw error(EINVAL, "update " + where(key) + ": a value of " + std::to_string(buffer.size()) +
                            " bytes was given, the map needs " + std::to_string(codec_.value_buffer_size()));
  if (bpf_map_update_elem(fd_, key.data(), buffer.data(), static_cast<std::uint64_t>(flag)) == 0) return;
  throw error(errno, "update " + where(key));
}

bool map_view::erase(std::span<const std::uint8_t> key) const {
  if (bpf_map_delete_elem(fd_, key.data()) == 0) return true;
  int err = errno;
  if (err == ENOENT) return false;
  throw error(err, "delete " + where(key));
}

void map_view::for_each_key(const std::function<bool(std::span<const std::uint8_t>)>& visit) const {
  if (!keyed())
    throw error(EINVAL, "map '" + name_ + "' is a " + map_type_name(type()) +
                            " map, whose entries cannot be listed by key");
  bytes key(codec_.key_size()), next(codec_.key_size());
  bool first = true;
  for (std::size_t walked = 0; walked <= max_entries_ + 1024ull; ++walked) {
    if (bpf_map_get_next_key(fd_, first ? nullptr : key.data(), next.data()) != 0) {
      int err = errno;
      if (err == ENOENT) return;
      throw error(err, "list the keys of map '" + name_ + "'");
    }
    first = false;
    key = next;
    if (!visit(key)) return;
  }
}

std::map<map_view::bytes, map_view::bytes> map_view::entries() const {
  std::map<bytes, bytes> all;
  for_each_key([&](std::span<const std::uint8_t> key) {
    if (std::optional<bytes> value = lookup(key)) all.emplace(bytes(key.begin(), key.end()), std::move(*value));
    return true;
  });
  return all;
}

std::size_t map_view::count() const {
  std::size_t n = 0;
  for_each_key([&](std::span<const std::uint8_t>) { return ++n, true; });
  return n;
}

std::string map_view::where(std::span<const std::uint8_t> key) const {
  return name_ + "[" + codec_.format_key(key) + "]";
}

std::string map_view::missing_key_note(std::span<const std::uint8_t> key) const {
  constexpr std::size_t shown = 3;
  constexpr std::size_t searched = 1024;
  const std::string wanted = codec_.format_key(key);
  std::vector<std::string> keys;
  bool padding_twin = false;
  std::size_t walked = 0;
  for_each_key([&](std::span<const std::uint8_t> found) {
    std::string text = codec_.format_key(found);
    if (text == wanted) padding_twin = true;
    if (keys.size() <= shown) keys.push_back(std::move(text));
    return ++walked < searched && !padding_twin;
  });
  if (padding_twin)
    return " with these exact bytes; the map has a key that differs only in padding bytes. "
           "Zero the key in the BPF program (__builtin_memset(&key, 0, sizeof(key))) before "
           "setting its fields";
  if (keys.empty()) return " (the map is empty)";
  std::string list;
  for (std::size_t i = 0; i < keys.size() && i < shown; ++i) list += (i ? ", " : "") + keys[i];
  if (keys.size() > shown) list += ", ...";
  return " (the map has: " + list + ")";
}

}  // namespace bpfkit
