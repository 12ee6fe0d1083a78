#include "map_state.hpp"

#include <algorithm>
#include <cstdint>

namespace bpfkit::testing {
namespace {

// Copying and restoring more than this after every test costs more than
// loading the object again.
constexpr std::size_t max_saved_bytes = 4u << 20;
constexpr std::uint32_t bpf_f_rdonly_prog = 1u << 7;  // BPF_F_RDONLY_PROG: frozen .rodata

std::size_t value_bytes(const map_handle &map) {
  return is_per_cpu(map.type()) ? percpu_slot_size(map.value_size()) * possible_cpus() : map.value_size();
}

}  // namespace

std::optional<map_state> map_state::take(const object &obj, std::string &why) {
  map_state state;
  std::size_t total = 0;
  for (const map_handle &map : obj.maps()) {
    const map_type type = map.type();
    if (type == map_type::perf_event_array) continue;  // empty after load, and BPF cannot fill it
    if ((map.flags() & bpf_f_rdonly_prog) && (type == map_type::array)) continue;  // frozen: unchanged
    saved_map saved{std::string(map.name()), kind::hashed, map.key_size(), value_bytes(map), {}};
    switch (type) {
      case map_type::array:
      case map_type::percpu_array:
        saved.how = kind::array;
        break;
      case map_type::hash:
      case map_type::percpu_hash:
      case map_type::lru_hash:
      case map_type::lru_percpu_hash:
      case map_type::lpm_trie:
        saved.how = kind::hashed;
        break;
      case map_type::queue:
      case map_type::stack:
        saved.how = kind::queue;
        break;
      default:
        why = "map " + saved.name + " (" + map_type_name(type) + ") cannot be reset between tests";
        return std::nullopt;
    }
    if (saved.how == kind::array) {
      total += std::size_t(map.max_entries()) * saved.value_size;
      if (total > max_saved_bytes) {
        why = "map " + saved.name + " is too large to reset between tests";
        return std::nullopt;
      }
      for (std::uint32_t index = 0; index < map.max_entries(); ++index) {
        entry e{std::vector<std::byte>(sizeof index), std::vector<std::byte>(saved.value_size)};
        std::copy_n(reinterpret_cast<const std::byte *>(&index), sizeof index, e.key.begin());
        map.lookup_bytes(e.key, e.value);
        saved.entries.push_back(std::move(e));
      }
    } else if (saved.how == kind::hashed) {
      // Usually empty after load; what libbpf put there stays.
      std::vector<std::byte> key, next(saved.key_size);
      while (map.next_key_bytes(key, next)) {
        entry e{next, std::vector<std::byte>(saved.value_size)};
        if (map.lookup_bytes(e.key, e.value)) saved.entries.push_back(std::move(e));
        key = next;
        total += saved.key_size + saved.value_size;
        if (total > max_saved_bytes) {
          why = "map " + saved.name + " is too large to reset between tests";
          return std::nullopt;
        }
      }
    } else {
      // A queue or stack is read by popping: one found filled after load is
      // left to fresh loads.
      std::vector<std::byte> value(saved.value_size);
      if (map.lookup_bytes({}, value)) {
        why = "map " + saved.name + " is not empty after load";
        return std::nullopt;
      }
    }
    state.maps_.push_back(std::move(saved));
  }
  return state;
}

void map_state::restore(const object &obj) const {
  for (const saved_map &saved : maps_) {
    const map_handle map = obj.map_by_name(saved.name);
    switch (saved.how) {
      case kind::array:
        for (const entry &e : saved.entries) map.update_bytes(e.key, e.value);
        break;
      case kind::hashed: {
        // Collect first: deleting while walking the keys restarts the walk.
        std::vector<std::vector<std::byte>> keys;
        std::vector<std::byte> key, next(saved.key_size);
        while (map.next_key_bytes(key, next)) {
          keys.push_back(next);
          key = next;
        }
        for (const auto &k : keys) map.erase_bytes(k);
        for (const entry &e : saved.entries) map.update_bytes(e.key, e.value);
        break;
      }
      case kind::queue: {
        std::vector<std::byte> value(saved.value_size);
        while (map.lookup_and_delete_bytes({}, value)) {
        }
        break;
      }
    }
  }
}

}  // namespace bpfkit::testing
