// Programs exercising every bpf_add_test() option.
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define IPPROTO_UDP_ 17

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u64);
} PACKET_COUNTER SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u32);
} settings SEC(".maps");

struct flow_key {
  __be32 saddr;
  __be32 daddr;
  __be16 sport;
  __be16 dport;
  __u8 proto;
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

const volatile __u16 drop_port = 0;  // set by SET_GLOBAL

// Counts every packet in PACKET_COUNTER[0].
SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 one = 1, *count = bpf_map_lookup_elem(&PACKET_COUNTER, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&PACKET_COUNTER, &key, &one, BPF_NOEXIST);
  return XDP_PASS;
}

// Returns settings[0]: a test seeds it with SET_MAP.
SEC("xdp")
int return_config(struct xdp_md *ctx) {
  __u32 key = 0, *value = bpf_map_lookup_elem(&settings, &key);
  return value ? *value : XDP_ABORTED;
}

// Drops UDP packets to drop_port; records every UDP flow in `flows`.
SEC("xdp")
int track_flows(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP_)
    return XDP_PASS;
  struct flow_key key;
  __builtin_memset(&key, 0, sizeof(key));  // padding is part of the key
  key.saddr = ip->saddr;
  key.daddr = ip->daddr;
  key.sport = udp->source;
  key.dport = udp->dest;
  key.proto = ip->protocol;
  struct flow_counts *stats = bpf_map_lookup_elem(&flows, &key);
  if (stats) {
    stats->packets++;
    stats->bytes += end - data;
  } else {
    struct flow_counts first = {.packets = 1, .bytes = end - data};
    bpf_map_update_elem(&flows, &key, &first, BPF_ANY);
  }
  return drop_port && udp->dest == bpf_htons(drop_port) ? XDP_DROP : XDP_PASS;
}

// Counts runs per CPU.
SEC("xdp")
int count_per_cpu(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&cpu_counts, &key);
  if (count) *count += 1;
  return XDP_PASS;
}

// Swaps the Ethernet source and destination addresses.
SEC("xdp")
int swap_macs(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return XDP_ABORTED;
  unsigned char tmp[6];
  __builtin_memcpy(tmp, eth->h_source, 6);
  __builtin_memcpy(eth->h_source, eth->h_dest, 6);
  __builtin_memcpy(eth->h_dest, tmp, 6);
  return XDP_TX;
}

// The verifier must reject this one: it reads past the packet's end.
SEC("xdp")
int read_past_end(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[40] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
