// Programs behind the GoogleTest-mode tests (bpf_add_test GTEST): a packet
// counter with a .rodata knob, a flow table with struct keys and values, a
// per-CPU counter and a map without BTF types.
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define IPPROTO_UDP_ 17

// Set between open and load by the fixtures' configure() hook.
const volatile __u64 increment = 1;
const volatile __u32 verdict = XDP_PASS;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} PACKET_COUNTER SEC(".maps");

struct flow_key {
  __be32 saddr;
  __be32 daddr;
  __be16 sport;
  __be16 dport;
  __u8 proto;  // then 3 bytes of padding
};

struct flow_counts {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct flow_key);
  __type(value, struct flow_counts);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} cpu_counts SEC(".maps");

// Sizes only, no BTF types: the matchers fall back to the C++ types.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __uint(key_size, 4);
  __uint(value_size, 8);
} raw_slots SEC(".maps");

// Adds `increment` to PACKET_COUNTER[0] and cpu_counts[0] per packet;
// returns `verdict`.
SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
  if (count) {
    __sync_fetch_and_add(count, increment);
  } else {
    __u64 first = increment;
    if (bpf_map_update_elem(&PACKET_COUNTER, &key, &first, BPF_NOEXIST) != 0) {
      count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
      if (count)
        __sync_fetch_and_add(count, increment);
    }
  }
  __u64 *mine = bpf_map_lookup_elem(&cpu_counts, &key);
  if (mine)
    *mine += increment;
  return verdict;
}

// Records every IPv4/UDP flow: packets and bytes.
SEC("xdp")
int track_flows(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP_)
    return XDP_PASS;
  struct flow_key key;
  __builtin_memset(&key, 0, sizeof key);
  key.saddr = ip->saddr;
  key.daddr = ip->daddr;
  key.sport = udp->source;
  key.dport = udp->dest;
  key.proto = ip->protocol;
  __u64 bytes = (__u64)(end - data);
  struct flow_counts *stats = bpf_map_lookup_elem(&flows, &key);
  if (stats) {
    __sync_fetch_and_add(&stats->packets, 1);
    __sync_fetch_and_add(&stats->bytes, bytes);
  } else {
    struct flow_counts fresh = {.packets = 1, .bytes = bytes};
    bpf_map_update_elem(&flows, &key, &fresh, BPF_ANY);
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
