#include "text_map.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <functional>
#include <stdexcept>

#include "bpfkit/btf_text.hpp"

namespace bpfkit::testing {
namespace {

bool is_per_cpu(bpf_map_type type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

std::span<const std::byte> as_bytes(const bytes &b) { return std::as_bytes(std::span(b)); }

}  // namespace

text_map::text_map(const btf *btf, map_handle map)
    : btf_(btf),
      map_(map),
      key_type_(btf ? bpf_map__btf_key_type_id(map.get()) : 0),
      value_type_(btf ? bpf_map__btf_value_type_id(map.get()) : 0),
      cpus_(static_cast<std::size_t>(libbpf_num_possible_cpus())) {}

bool text_map::per_cpu() const { return is_per_cpu(map_.type()); }

std::size_t text_map::slot() const { return (map_.value_size() + 7) / 8 * 8; }

bytes text_map::key(std::string_view text) const {
  return key_type_ ? parse_value(btf_, key_type_, text) : parse_bytes(map_.key_size(), text);
}

bytes text_map::value(std::string_view text) const {
  return value_type_ ? parse_value(btf_, value_type_, text) : parse_bytes(map_.value_size(), text);
}

std::string text_map::format_key(const bytes &key) const {
  return key_type_ ? bpfkit::format_value(btf_, key_type_, key) : format_bytes(key);
}

std::string text_map::format_value(const bytes &value) const {
  return value_type_ ? bpfkit::format_value(btf_, value_type_, value) : format_bytes(value);
}

bool text_map::summable() const {
  if (!value_type_) return map_.value_size() <= 8;
  const btf_type *t = btf__type_by_id(btf_, btf__resolve_type(btf_, value_type_));
  return t && (btf_is_int(t) || btf_is_enum(t)) && map_.value_size() <= 8;
}

std::uint64_t text_map::as_integer(const bytes &value) const {
  std::uint64_t n = 0;
  std::memcpy(&n, value.data(), std::min<std::size_t>(value.size(), sizeof n));  // little-endian host
  return n;
}

std::optional<std::vector<bytes>> text_map::lookup(const bytes &key) const {
  const std::size_t one = map_.value_size();
  bytes buffer(per_cpu() ? slot() * cpus_ : one);
  if (!map_.lookup_bytes(as_bytes(key), std::as_writable_bytes(std::span(buffer)))) return std::nullopt;
  std::vector<bytes> values;
  for (std::size_t cpu = 0; cpu < cpus(); ++cpu) {
    auto begin = buffer.begin() + static_cast<long>(per_cpu() ? cpu * slot() : 0);
    values.emplace_back(begin, begin + static_cast<long>(one));
  }
  return values;
}

void text_map::update(const bytes &key, const bytes &value) const {
  if (!per_cpu()) {
    map_.update_bytes(as_bytes(key), as_bytes(value));
    return;
  }
  bytes buffer(slot() * cpus_, 0);
  for (std::size_t cpu = 0; cpu < cpus_; ++cpu)
    std::memcpy(buffer.data() + cpu * slot(), value.data(), value.size());
  map_.update_bytes(as_bytes(key), as_bytes(buffer));
}

std::size_t text_map::count() const {
  std::size_t n = 0;
  for_each_key([&](const bytes &) { return ++n, true; });
  return n;
}

std::vector<std::string> text_map::some_keys(std::size_t limit) const {
  std::vector<std::string> keys;
  for_each_key([&](const bytes &key) {
    keys.push_back(format_key(key));
    return keys.size() < limit;
  });
  return keys;
}

void text_map::for_each_key(const std::function<bool(const bytes &)> &visit) const {
  bytes key, next(map_.key_size());
  while (map_.next_key_bytes(as_bytes(key), std::as_writable_bytes(std::span(next)))) {
    if (!visit(next)) return;
    key = next;
  }
}

text_map find_text_map(bpf_object *obj, std::string_view name) {
  std::string names;
  bpf_map *map;
  bpf_object__for_each_map(map, obj) {
    if (name == bpf_map__name(map)) return text_map(bpf_object__btf(obj), map_handle(map));
    names += (names.empty() ? "" : ", ") + std::string(bpf_map__name(map));
  }
  throw std::runtime_error("no map named '" + std::string(name) + "'; the object has: " +
                           (names.empty() ? "no maps" : names));
}

}  // namespace bpfkit::testing
