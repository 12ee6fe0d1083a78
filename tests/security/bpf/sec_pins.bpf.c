// Two programs and a map with names no other test uses, so that the security
// tests can tell from the kernel's lists whether a refused or interrupted
// `bpfkit load|attach` left anything loaded.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} secpin_counts SEC(".maps");

SEC("xdp")
int secpin_first(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&secpin_counts, &key);
  if (count) __sync_fetch_and_add(count, 1);
  return XDP_PASS;
}

// In .rodata, which libbpf freezes after load: user space cannot write it.
const volatile __u64 secpin_step = 2;

SEC("tp/syscalls/sys_enter_getppid")
int secpin_second(void *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&secpin_counts, &key);
  if (count) __sync_fetch_and_add(count, secpin_step);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
