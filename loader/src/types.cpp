// The facts that follow from a map's or program's type.
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpfkit/error.hpp"
#include "bpfkit/map_type.hpp"
#include "bpfkit/program_type.hpp"

namespace bpfkit {

// The enums mirror the kernel's.
static_assert(static_cast<std::uint32_t>(map_type::stack_trace) == BPF_MAP_TYPE_STACK_TRACE);
static_assert(static_cast<std::uint32_t>(map_type::percpu_cgroup_storage) ==
              BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
static_assert(static_cast<std::uint32_t>(map_type::ringbuf) == BPF_MAP_TYPE_RINGBUF);
static_assert(static_cast<std::uint32_t>(map_type::user_ringbuf) == BPF_MAP_TYPE_USER_RINGBUF);
static_assert(static_cast<std::uint32_t>(program_type::xdp) == BPF_PROG_TYPE_XDP);
static_assert(static_cast<std::uint32_t>(program_type::sk_lookup) == BPF_PROG_TYPE_SK_LOOKUP);
static_assert(static_cast<std::uint32_t>(program_type::syscall) == BPF_PROG_TYPE_SYSCALL);

std::string map_type_name(map_type type) {
  const char* name = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
  return name ? name : "map type " + std::to_string(static_cast<std::uint32_t>(type));
}

std::string program_type_name(program_type type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return name ? name : "program type " + std::to_string(static_cast<std::uint32_t>(type));
}

bool is_per_cpu(map_type type) noexcept {
  switch (type) {
    case map_type::percpu_hash:
    case map_type::percpu_array:
    case map_type::lru_percpu_hash:
    case map_type::percpu_cgroup_storage:
      return true;
    default:
      return false;
  }
}

bool has_keys(map_type type) noexcept {
  switch (type) {
    case map_type::ringbuf:
    case map_type::user_ringbuf:
    case map_type::queue:
    case map_type::stack:
    case map_type::bloom_filter:
    case map_type::perf_event_array:
    case map_type::sk_storage:
    case map_type::inode_storage:
    case map_type::task_storage:
    case map_type::cgrp_storage:
    case map_type::struct_ops:
      return false;
    default:
      return true;
  }
}

std::size_t possible_cpus() {
  int cpus = libbpf_num_possible_cpus();
  if (cpus < 0) throw error(cpus, "count the possible CPUs (/sys/devices/system/cpu/possible)");
  return static_cast<std::size_t>(cpus);
}

}  // namespace bpfkit
