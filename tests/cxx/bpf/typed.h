// One program written so that it compiles as C (typed.bpf.c) and as C++
// (typed.bpf.cpp): their skeletons must be alike (skeleton_types_test.cpp).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpfkit/skel.h>

struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 port;
  __u8 protocol;
  __u8 flags : 4;
  __u8 version : 4;
};

struct flow_totals {
  __u64 packets;
  __u64 bytes;
  char name[16];
};

struct event {
  __u32 pid;
  __u64 when;
  struct flow_key flow;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct flow_key);
  __type(value, struct flow_totals);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} per_cpu SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");
BPFKIT_RINGBUF_EVENT(events, struct event);

const volatile __s32 threshold = 7;
__u64 packets = 0;
struct flow_key last_flow = {1, 2, 3, 4, 5, 6};

SEC("xdp")
int count(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *n = (__u64 *)bpf_map_lookup_elem(&per_cpu, &key);
  if (n) *n += 1;
  packets += (__u64)threshold;
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
