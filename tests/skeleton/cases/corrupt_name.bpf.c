// Compiled, then its BTF corrupted by corrupt_btf_name.py: the enumerator
// CORRUPT_ME (in a map's value type, so the skeleton writes it) gets a name
// offset past the string section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum state { IDLE, CORRUPT_ME };

struct value {
  enum state state;
  __u32 count;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, struct value);
} states SEC(".maps");

SEC("xdp")
int pass(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
