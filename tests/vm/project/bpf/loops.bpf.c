// Sums 1..rounds with bpf_loop, a helper of Linux 5.17: the part of a
// project that older kernels cannot run, and whose test says so.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 rounds = 10;

static long add_round(__u32 index, void *ctx) {
  __u64 *sum = ctx;
  *sum += index + 1;
  return 0;
}

SEC("xdp")
int sum_rounds(struct xdp_md *ctx) {
  __u64 sum = 0;
  bpf_loop(rounds, add_round, &sum, 0);
  return sum == (__u64)rounds * (rounds + 1) / 2 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
