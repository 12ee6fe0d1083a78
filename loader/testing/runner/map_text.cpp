#include "map_text.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/map_codec.hpp"
#include "bpfkit/map_view.hpp"

namespace bpfkit::testing {
namespace {

using bytes = map_view::bytes;

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

// The map named `name`, seen through its BTF; throws naming the maps there are.
map_view find_map(const object &obj, std::string_view name) {
  std::string names;
  for (const map_handle &map : obj.maps()) {
    if (map.name() == name) return map_view::of(map);
    names += (names.empty() ? "" : ", ") + std::string(map.name());
  }
  throw std::runtime_error("no map named '" + std::string(name) + "'; the object has: " +
                           (names.empty() ? "no maps" : names));
}

std::string label(const map_view &map, std::string_view key_text) {
  return std::string(map.name()) + "[" + std::string(key_text) + "]";
}

}  // namespace

void set_global(const object &obj, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  const std::string_view name = trim(assignment.substr(0, eq));
  std::string names;
  for (const map_handle &section : obj.maps()) {
    // Only global data sections have variables (their value type is a DATASEC).
    const map_codec codec = map_view::codec_of(section);
    for (const map_codec::variable &var : codec.variables()) {
      if (var.name != name) {
        names += (names.empty() ? "" : ", ") + var.name;
        continue;
      }
      const bytes value = codec.parse_variable(var, trim(assignment.substr(eq + 1)));
      std::span<std::byte> memory = obj.section(section.name());
      if (var.offset + value.size() > memory.size())
        throw std::runtime_error("global '" + std::string(name) + "' lies outside its section");
      std::memcpy(memory.data() + var.offset, value.data(), value.size());
      return;
    }
  }
  throw std::runtime_error("no global variable named '" + std::string(name) +
                           "'; the object has: " + (names.empty() ? "none" : names));
}

void set_map(const object &obj, std::string_view assignment) {
  keyed k = split_keyed(assignment);
  std::string_view rest = trim(k.rest);
  if (rest.empty() || rest.front() != '=')
    throw std::runtime_error("'" + std::string(assignment) + "': expected '=' after the key");
  const map_view map = find_map(obj, k.map);
  const map_codec &codec = map.codec();
  map.update(codec.parse_key(k.key), codec.every_cpu(codec.parse_value(trim(rest.substr(1)))));
}

std::optional<std::string> check_map(const object &obj, std::string_view expectation) {
  expectation = trim(expectation);
  if (expectation.starts_with("count(")) {
    const std::size_t close = expectation.find(')');
    const std::size_t eq = expectation.find("==", close);
    const map_view map = find_map(obj, trim(expectation.substr(6, close - 6)));
    const std::size_t expected = std::stoull(std::string(trim(expectation.substr(eq + 2))), nullptr, 0);
    const std::size_t found = map.count();
    if (found == expected) return std::nullopt;
    return expected_found("count(" + std::string(map.name()) + ")", std::to_string(expected),
                          std::to_string(found));
  }

  keyed k = split_keyed(expectation);
  const map_view map = find_map(obj, k.map);
  const map_codec &codec = map.codec();
  const std::string where = label(map, k.key);
  const bytes key = codec.parse_key(k.key);
  const std::optional<bytes> value = map.lookup(key);
  std::string_view rest = trim(k.rest);
  if (rest == "absent") {
    if (!value) return std::nullopt;
    return expected_found(where, "no entry", codec.format_buffer(*value));
  }

  std::optional<std::size_t> cpu;
  if (rest.starts_with("@")) {
    const std::size_t end = rest.find_first_not_of("0123456789", 1);
    cpu = std::stoul(std::string(rest.substr(1, end - 1)));
    rest = trim(rest.substr(end));
    if (!codec.per_cpu() || *cpu >= codec.cpus())
      throw std::runtime_error(where + "@" + std::to_string(*cpu) + ": " +
                               (codec.per_cpu() ? "the machine has " + std::to_string(codec.cpus()) +
                                                      " possible CPUs"
                                                : "the map is not per-CPU"));
  }
  if (!rest.starts_with("=="))
    throw std::runtime_error("'" + std::string(expectation) + "': expected '==' or 'absent'");
  // Compared as formatted text: padding the kernel leaves in values then
  // cannot fail a test, and the same strings make the message.
  const std::string expected = codec.format_value(codec.parse_value(trim(rest.substr(2))));
  const std::string at = cpu ? where + "@" + std::to_string(*cpu) : where;
  if (!value) return expected_found(at, expected, "no entry" + map.missing_key_note(key));

  std::string found;
  if (cpu) {
    found = codec.format_value(codec.cpu_value(*value, *cpu));
  } else if (codec.per_cpu()) {
    if (!codec.summable())
      throw std::runtime_error(where + ": a per-CPU map of non-integer values; compare one CPU with " +
                               where + "@<cpu> == <value>");
    found = codec.format_value(codec.sum_cpus(*value));
  } else {
    found = codec.format_value(*value);
  }
  if (found == expected) return std::nullopt;
  return expected_found(at, expected, found);
}

}  // namespace bpfkit::testing
