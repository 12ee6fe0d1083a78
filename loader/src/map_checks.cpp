#include "map_checks.hpp"

#include <cerrno>
#include <string>

#include "bpfkit/error.hpp"

namespace bpfkit::detail {
namespace {

bool is_percpu(bpf_map_type type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

// The bpfkit class made for maps of `type`.
map_kind kind_of(bpf_map_type type) {
  if (is_percpu(type)) return map_kind::percpu;
  switch (type) {
    case BPF_MAP_TYPE_QUEUE:
      return map_kind::queue;
    case BPF_MAP_TYPE_STACK:
      return map_kind::stack;
    case BPF_MAP_TYPE_RINGBUF:
      return map_kind::ring_buffer;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
      return map_kind::perf_event_array;
    default:
      return map_kind::keyed;
  }
}

const char* class_name(map_kind kind) {
  switch (kind) {
    case map_kind::keyed:
      return "bpfkit::hash_map";
    case map_kind::percpu:
      return "bpfkit::percpu_map";
    case map_kind::queue:
      return "bpfkit::queue_map";
    case map_kind::stack:
      return "bpfkit::stack_map";
    case map_kind::ring_buffer:
      return "bpfkit::ring_buffer";
    case map_kind::perf_event_array:
      return "bpfkit::perf_event_array";
  }
  return "?";
}

std::string describe(const map_handle& map) {
  const char* type = libbpf_bpf_map_type_str(map.type());
  return "map '" + std::string(map.name()) + "' (" + (type ? type : "unknown type") + ")";
}

void check_size(const map_handle& map, const char* what, std::size_t in_object,
                std::size_t in_cxx) {
  if (in_object == in_cxx) return;
  throw error(EINVAL, describe(map) + ": its " + what + " is " + std::to_string(in_object) +
                          " bytes in the BPF object but the C++ " + what + " type is " +
                          std::to_string(in_cxx) + " bytes; use a type of the same layout");
}

}  // namespace

void check_map(const map_handle& map, map_kind kind, std::size_t key_size, std::size_t value_size) {
  if (map_kind actual = kind_of(map.type()); actual != kind)
    throw error(EINVAL, describe(map) + " cannot be used as a " + class_name(kind) + "; use " +
                            class_name(actual));
  if (kind == map_kind::ring_buffer || kind == map_kind::perf_event_array) return;
  check_size(map, "key", map.key_size(), key_size);
  check_size(map, "value", map.value_size(), value_size);
}

void check_entry_sizes(const map_handle& map, std::size_t key_bytes,
                       std::optional<std::size_t> value_bytes) {
  if (key_bytes != map.key_size())
    throw error(EINVAL, describe(map) + ": a key of " + std::to_string(key_bytes) +
                            " bytes was given, the map's keys are " +
                            std::to_string(map.key_size()) + " bytes");
  if (!value_bytes) return;
  std::size_t expected = map.value_size();
  if (is_percpu(map.type())) expected = percpu_slot_size(expected) * possible_cpus();
  if (*value_bytes != expected)
    throw error(EINVAL,
                describe(map) + ": a value buffer of " + std::to_string(*value_bytes) +
                    " bytes was given, the map needs " + std::to_string(expected) +
                    (is_percpu(map.type()) ? " (one 8-byte-aligned value per possible CPU)" : ""));
}

std::size_t possible_cpus() {
  int cpus = libbpf_num_possible_cpus();
  if (cpus < 0) throw error(cpus, "count the possible CPUs (/sys/devices/system/cpu/possible)");
  return static_cast<std::size_t>(cpus);
}

}  // namespace bpfkit::detail
