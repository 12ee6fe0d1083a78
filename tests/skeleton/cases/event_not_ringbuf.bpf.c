// An event type declared for a map that is not a ring buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/skel.h>

struct event {
  __u32 pid;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u32);
} counts SEC(".maps");
BPFKIT_RINGBUF_EVENT(counts, struct event);

char LICENSE[] SEC("license") = "GPL";
