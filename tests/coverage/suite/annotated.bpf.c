// Annotated tests (bpfkit/test.h) for coverage.suite: one program the test
// runs four times on TCP packets, whose UDP branch stays at 0, and one the
// verifier must reject (its lines are not counted: it never runs).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

__u64 tcp_stamp = 0, udp_stamp = 0;

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/tcp")
BPFKIT_TEST_REPEAT(4)
BPFKIT_EXPECT_RETVAL(XDP_PASS)
int by_protocol(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct iphdr *ip = data + sizeof(struct ethhdr);
  if ((void *)(ip + 1) > end)
    return XDP_ABORTED;
  // Different helpers on each side, so that the compiler keeps both
  // branches' lines (two stores would become one with a select).
  if (ip->protocol == IPPROTO_TCP)
    tcp_stamp = bpf_ktime_get_ns();  // COVER(tcp)
  else
    udp_stamp = bpf_get_prandom_u32();  // COVER(udp)
  return XDP_PASS;
}

SEC("xdp")
BPFKIT_EXPECT_FAILURE("invalid access to packet")
int unchecked(struct xdp_md *ctx) {
  __u8 *data = (void *)(long)ctx->data;
  return data[64] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
