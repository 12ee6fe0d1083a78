// A map of a loaded object, read and written in bpf_add_test's text syntax
// ("{sport=1, dport=2}", "5", ...) by the object's BTF: the key and value
// types of the map decide the layout. Maps without BTF key or value types
// take plain integers or byte lists of the right size.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/map_handle.hpp"

namespace bpfkit::testing {

using bytes = std::vector<std::uint8_t>;

class text_map {
 public:
  text_map(const btf *btf, map_handle map);

  std::string_view name() const { return map_.name(); }
  bool per_cpu() const;
  std::size_t cpus() const { return per_cpu() ? cpus_ : 1; }

  bytes key(std::string_view text) const;
  bytes value(std::string_view text) const;  // one CPU's value
  std::string format_key(const bytes &key) const;
  std::string format_value(const bytes &value) const;
  // Whether one CPU's values can be added up (integer value types).
  bool summable() const;
  std::uint64_t as_integer(const bytes &value) const;

  // One value per CPU (one for ordinary maps); empty when absent.
  std::optional<std::vector<bytes>> lookup(const bytes &key) const;
  void update(const bytes &key, const bytes &value) const;  // every CPU gets it
  std::size_t count() const;
  // Up to `limit` keys, formatted, for messages about a missing key.
  std::vector<std::string> some_keys(std::size_t limit) const;

 private:
  std::size_t slot() const;
  // Calls visit(key) for each key until it returns false.
  void for_each_key(const std::function<bool(const bytes &)> &visit) const;  // bytes per CPU in the kernel's per-CPU buffer

  const btf *btf_;
  map_handle map_;
  std::uint32_t key_type_;
  std::uint32_t value_type_;
  std::size_t cpus_;
};

// The maps of an object by name; throws naming the maps there are.
text_map find_text_map(bpf_object *obj, std::string_view name);

}  // namespace bpfkit::testing
