// Tests written next to the programs they test (bpfkit/test.h).
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp(dport=53)")
BPFKIT_EXPECT_RETVAL(XDP_DROP)
int drop_dns(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct udphdr *udp = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
  if ((void *)(udp + 1) > end) return XDP_PASS;
  return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp")
BPFKIT_TEST_REPEAT(3)
BPFKIT_EXPECT_RETVAL(2)
BPFKIT_EXPECT_MAP("seen[0] == 3")
BPFKIT_MAX_VERIFIED_INSNS(50)
int count_seen(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *n = bpf_map_lookup_elem(&seen, &key);
  if (n) *n += 1;
  return XDP_PASS;
}

SEC("xdp")
BPFKIT_EXPECT_FAILURE("invalid access to packet")
BPFKIT_EXPECT_FAILURE("R[0-9] offset is outside of the packet")
int reads_past_the_end(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[40] ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
BPFKIT_MIN_KERNEL(5.10)
BPFKIT_REQUIRES("prog:xdp map:array")
BPFKIT_REQUIRES("helper:bpf_map_lookup_elem@xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp")
BPFKIT_EXPECT_RETVAL(XDP_PASS)
int needs_what_5_10_has(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
BPFKIT_EXPECT_SUCCESS
int just_loads(struct xdp_md *ctx) { return XDP_PASS; }

// Not annotated: no test.
SEC("xdp")
int untested(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
