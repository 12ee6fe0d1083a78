// A global aligned to more than a page: its section would pad the linked
// object to that alignment, so bpfkit-link refuses it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 counters[4] __attribute__((aligned(1 << 20)));

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  counters[0]++;
  return XDP_PASS;
}
