// An event type declared for a ring buffer the object does not define.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/skel.h>

struct event {
  __u32 pid;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");
BPFKIT_RINGBUF_EVENT(evnets, struct event);

char LICENSE[] SEC("license") = "GPL";
