// The checks of map sizes: typed maps' expectations (at load), and the
// untyped *_bytes calls' buffers.
#include "map_checks.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <string>

#include "bpfkit/error.hpp"
#include "state.hpp"

namespace bpfkit::detail {
namespace {

// The bpfkit class made for maps of `type`.
map_kind kind_of(map_type type) {
  if (is_per_cpu(type)) return map_kind::percpu;
  switch (type) {
    case map_type::queue: return map_kind::queue;
    case map_type::stack: return map_kind::stack;
    case map_type::stack_trace: return map_kind::stack_trace;
    case map_type::ringbuf: return map_kind::ring_buffer;
    case map_type::perf_event_array: return map_kind::perf_event_array;
    default: return map_kind::keyed;
  }
}

const char* class_name(map_kind kind) {
  switch (kind) {
    case map_kind::keyed: return "bpfkit::hash_map";
    case map_kind::percpu: return "bpfkit::percpu_map";
    case map_kind::queue: return "bpfkit::queue_map";
    case map_kind::stack: return "bpfkit::stack_map";
    case map_kind::stack_trace: return "bpfkit::stack_trace_map";
    case map_kind::ring_buffer: return "bpfkit::ring_buffer";
    case map_kind::perf_event_array: return "bpfkit::perf_event_array";
  }
  return "?";
}

bool fits(map_kind wanted, map_kind actual) {
  // A stack-trace map is a keyed map too: hash_map<std::uint32_t, frames>
  // over it is the C++ of a value type fixed at compile time.
  return wanted == actual || (wanted == map_kind::keyed && actual == map_kind::stack_trace);
}

void check_size(const map_handle& map, const char* what, std::size_t in_object, std::size_t in_cxx) {
  if (in_object == in_cxx) return;
  std::string text = describe(map) + ": its " + what + " is " + std::to_string(in_object) +
                     " bytes in the BPF object but the C++ " + what + " type is " +
                     std::to_string(in_cxx) + " bytes; use a type of the same layout";
  if (in_object == 0)
    text = describe(map) + ": its " + what + " size is 0 bytes (its BTF leaves it open) but the C++ " +
           what + " type is " + std::to_string(in_cxx) + " bytes; set it between open() and load(): "
           "set_value_size(" + std::to_string(in_cxx) + ")";
  throw error(EINVAL, text);
}

void check_sizes(const map_handle& map, map_kind kind, std::size_t key_size, std::size_t value_size) {
  if (kind == map_kind::ring_buffer || kind == map_kind::perf_event_array) return;
  check_size(map, "key", map.key_size(), key_size);
  if (kind != map_kind::stack_trace) {
    check_size(map, "value", map.value_size(), value_size);
    return;
  }
  const std::uint32_t bytes = map.value_size();
  if (bytes == 0 || bytes % 8 != 0)
    throw error(EINVAL, describe(map) + ": its value size is " + std::to_string(bytes) +
                            " bytes, not a whole number of 8-byte frames; set the depth between "
                            "open() and load(): set_value_size(frames * 8), e.g. " +
                            "set_value_size(127 * 8)");
}

}  // namespace

std::string describe(const map_handle& map) {
  return "map '" + std::string(map.name()) + "' (" + map_type_name(map.type()) + ")";
}

std::string describe(const program& program) { return "program '" + std::string(program.name()) + "'"; }

void expect_map(const map_handle& map, map_kind kind, std::size_t key_size, std::size_t value_size) {
  if (map_kind actual = kind_of(map.type()); !fits(kind, actual))
    throw error(EINVAL, describe(map) + " cannot be used as a " + class_name(kind) + "; use " +
                            class_name(actual));
  object_state* owner = access::owner(map);
  if (owner && !owner->loaded) {
    owner->expectations.push_back({access::raw(map), kind, key_size, value_size});
    return;
  }
  check_sizes(map, kind, key_size, value_size);
}

void throw_percpu_values(const map_handle& map, std::size_t given, std::size_t cpus) {
  throw error(EINVAL, "update per-CPU " + describe(map) + ": " + std::to_string(given) +
                          " values given, one per possible CPU (" + std::to_string(cpus) + ") needed");
}

void check_expectations(const object_state& state) {
  for (const map_expectation& e : state.expectations)
    check_sizes(access::make_map(const_cast<object_state*>(&state), e.map), e.kind, e.key_size,
                e.value_size);
}

void check_entry_sizes(const map_handle& map, std::size_t key_bytes,
                       std::optional<std::size_t> value_bytes) {
  if (key_bytes != map.key_size())
    throw error(EINVAL, describe(map) + ": a key of " + std::to_string(key_bytes) +
                            " bytes was given, the map's keys are " +
                            std::to_string(map.key_size()) + " bytes");
  if (!value_bytes) return;
  const bool per_cpu = is_per_cpu(map.type());
  std::size_t expected = map.value_size();
  if (per_cpu) expected = percpu_slot_size(expected) * possible_cpus();
  if (*value_bytes != expected)
    throw error(EINVAL, describe(map) + ": a value buffer of " + std::to_string(*value_bytes) +
                            " bytes was given, the map needs " + std::to_string(expected) +
                            (per_cpu ? " (one 8-byte-aligned value per possible CPU)" : ""));
}

}  // namespace bpfkit::detail
