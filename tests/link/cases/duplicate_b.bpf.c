// Defines program "handle_packet" again (see duplicate_a.bpf.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int handle_packet(struct __sk_buff *skb) { return 0; }
