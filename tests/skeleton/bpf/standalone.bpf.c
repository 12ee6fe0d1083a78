// A minimal object for skeleton.standalone: its program must run from the
// skeleton's embedded ELF while the .bpf.o file is out of the way.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 answer = 41;

SEC("tc")
int answer_prog(struct __sk_buff *skb) {
  return answer + 1;
}

char LICENSE[] SEC("license") = "GPL";
