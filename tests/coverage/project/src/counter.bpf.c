#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets = 0, long_stamp = 0;

SEC("xdp")
int count(struct xdp_md *ctx) {
  __sync_fetch_and_add(&packets, 1);  // COVER(count)
  if (ctx->data_end - ctx->data > 100)
    long_stamp = bpf_ktime_get_ns();  // COVER(long)
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
