// bpf_verifier_baseline() in bpfkit's own build tree (baseline.main_tree).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass_all(struct xdp_md *ctx) {
  return XDP_PASS;
}

SEC("socket")
int keep_all(struct __sk_buff *skb) {
  return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
