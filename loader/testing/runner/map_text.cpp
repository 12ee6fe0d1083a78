#include "map_text.hpp"

#include <bpf/btf.h>

#include <cstring>
#include <stdexcept>

#include "bpfkit/btf_text.hpp"
#include "text_map.hpp"

namespace bpfkit::testing {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "name[KEY]rest": the key may itself hold brackets, so its end is found by
// the value syntax, not by searching for ']'.
struct keyed {
  std::string_view map;
  std::string_view key;
  std::string_view rest;
};

keyed split_keyed(std::string_view text) {
  const std::size_t open = text.find('[');
  if (open == std::string_view::npos) throw std::runtime_error("'" + std::string(text) + "': no [key]");
  std::string_view after = text.substr(open + 1);
  const std::size_t extent = value_extent(after);
  std::string_view rest = after.substr(extent);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != ']')
    throw std::runtime_error("'" + std::string(text) + "': expected ']' after the key");
  return {trim(text.substr(0, open)), trim(after.substr(0, extent)), rest.substr(1)};
}

std::string key_label(const text_map &map, std::string_view key_text) {
  return std::string(map.name()) + "[" + std::string(key_text) + "]";
}

// Where a global lives: the section map whose BTF value type is the DATASEC
// holding the variable.
struct global_slot {
  bpf_map *map;
  std::uint32_t offset;
  std::uint32_t type;
};

global_slot find_global(bpf_object *obj, std::string_view name) {
  const btf *btf = bpf_object__btf(obj);
  std::string names;
  bpf_map *map;
  bpf_object__for_each_map(map, obj) {
    if (!bpf_map__is_internal(map) || !btf) continue;
    const std::uint32_t datasec_id = bpf_map__btf_value_type_id(map);
    const btf_type *sec = btf__type_by_id(btf, datasec_id);
    if (!sec || !btf_is_datasec(sec)) continue;
    const btf_var_secinfo *vars = btf_var_secinfos(sec);
    for (unsigned i = 0; i < btf_vlen(sec); ++i) {
      const btf_type *var = btf__type_by_id(btf, vars[i].type);
      const char *var_name = btf__name_by_offset(btf, var->name_off);
      if (name == var_name) return {map, vars[i].offset, var->type};
      names += (names.empty() ? "" : ", ") + std::string(var_name);
    }
  }
  throw std::runtime_error("no global variable named '" + std::string(name) +
                           "'; the object has: " + (names.empty() ? "none" : names));
}

// " (the map has: k1, k2, ...)", so a wrong key is visible at once. A key
// that reads the same but did not match differs in padding bytes: a classic
// BPF bug (a key struct filled field by field leaves its padding as stack
// garbage, so user space can never look it up).
std::string existing_keys(const text_map &map, std::string_view key_text) {
  constexpr std::size_t shown = 3;
  const std::string wanted = map.format_key(map.key(key_text));
  for (const std::string &key : map.some_keys(1024))
    if (key == wanted)
      return " with these exact bytes; the map has a key that differs only in padding bytes. "
             "Zero the key in the BPF program (__builtin_memset(&key, 0, sizeof(key))) before "
             "setting its fields";
  std::vector<std::string> keys = map.some_keys(shown + 1);
  if (keys.empty()) return " (the map is empty)";
  std::string list;
  for (std::size_t i = 0; i < keys.size() && i < shown; ++i) list += (i ? ", " : "") + keys[i];
  if (keys.size() > shown) list += ", ...";
  return " (the map has: " + list + ")";
}

}  // namespace

void set_global(bpf_object *obj, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  const std::string_view name = trim(assignment.substr(0, eq));
  global_slot slot = find_global(obj, name);
  bytes value = parse_value(bpf_object__btf(obj), slot.type, trim(assignment.substr(eq + 1)));
  std::size_t size = 0;
  const auto *data = static_cast<const std::uint8_t *>(bpf_map__initial_value(slot.map, &size));
  if (!data || slot.offset + value.size() > size)
    throw std::runtime_error("global '" + std::string(name) + "' cannot be set before load");
  bytes section(data, data + size);
  std::memcpy(section.data() + slot.offset, value.data(), value.size());
  if (int err = bpf_map__set_initial_value(slot.map, section.data(), section.size()); err != 0)
    throw std::runtime_error("global '" + std::string(name) + "' cannot be set: " + std::strerror(-err));
}

void set_map(bpf_object *obj, std::string_view assignment) {
  keyed k = split_keyed(assignment);
  std::string_view rest = trim(k.rest);
  if (rest.empty() || rest.front() != '=')
    throw std::runtime_error("'" + std::string(assignment) + "': expected '=' after the key");
  text_map map = find_text_map(obj, k.map);
  map.update(map.key(k.key), map.value(trim(rest.substr(1))));
}

std::optional<std::string> check_map(bpf_object *obj, std::string_view expectation) {
  expectation = trim(expectation);
  if (expectation.starts_with("count(")) {
    const std::size_t close = expectation.find(')');
    const std::size_t eq = expectation.find("==", close);
    text_map map = find_text_map(obj, trim(expectation.substr(6, close - 6)));
    const std::size_t expected = std::stoull(std::string(trim(expectation.substr(eq + 2))), nullptr, 0);
    const std::size_t found = map.count();
    if (found == expected) return std::nullopt;
    return "count(" + std::string(map.name()) + "): expected " + std::to_string(expected) +
           ", found " + std::to_string(found);
  }

  keyed k = split_keyed(expectation);
  text_map map = find_text_map(obj, k.map);
  const std::string label = key_label(map, k.key);
  const auto values = map.lookup(map.key(k.key));
  std::string_view rest = trim(k.rest);
  if (rest == "absent") {
    if (!values) return std::nullopt;
    return label + ": expected no entry, found " + map.format_value(values->front());
  }

  std::optional<std::size_t> cpu;
  if (rest.starts_with("@")) {
    const std::size_t end = rest.find_first_not_of("0123456789", 1);
    cpu = std::stoul(std::string(rest.substr(1, end - 1)));
    rest = trim(rest.substr(end));
    if (!map.per_cpu() || *cpu >= map.cpus())
      throw std::runtime_error(label + "@" + std::to_string(*cpu) + ": " +
                               (map.per_cpu() ? "the machine has " + std::to_string(map.cpus()) + " possible CPUs"
                                              : "the map is not per-CPU"));
  }
  if (!rest.starts_with("=="))
    throw std::runtime_error("'" + std::string(expectation) + "': expected '==' or 'absent'");
  const std::string_view expected_text = trim(rest.substr(2));
  // Compared as formatted text: padding the kernel leaves in values then
  // cannot fail a test, and the same strings make the message.
  const std::string expected = map.format_value(map.value(expected_text));
  const std::string where = cpu ? label + "@" + std::to_string(*cpu) : label;
  if (!values) return where + ": expected " + expected + ", found no entry" + existing_keys(map, k.key);

  std::string found;
  if (cpu) {
    found = map.format_value((*values)[*cpu]);
  } else if (map.per_cpu()) {
    if (!map.summable())
      throw std::runtime_error(label + ": a per-CPU map of non-integer values; compare one CPU with " +
                               label + "@<cpu> == <value>");
    std::uint64_t sum = 0;
    for (const bytes &v : *values) sum += map.as_integer(v);
    bytes total(values->front().size());
    std::memcpy(total.data(), &sum, std::min(total.size(), sizeof sum));
    found = map.format_value(total);
  } else {
    found = map.format_value(values->front());
  }
  if (found == expected) return std::nullopt;
  return where + ": expected " + expected + ", found " + found;
}

}  // namespace bpfkit::testing
