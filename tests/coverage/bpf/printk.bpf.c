// Prints the tag a test puts in its packet's first four bytes, so that a
// test can tell its own bpf_printk lines from another process's.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say_tag(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  if (data + sizeof(__u32) > end)
    return XDP_ABORTED;
  bpf_printk("printk-test tag=%u", *(__u32 *)data);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
