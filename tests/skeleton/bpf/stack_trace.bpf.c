// A stack-trace map declared the way libbpf-tools declare theirs: with only
// a key type. Its value size (the stack depth) and its size are set at run
// time, between open() and load().
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __type(key, __u32);
} stacks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __s64);
} last_stack SEC(".maps");

// A raw tracepoint program: test runs reach it, and it may take stacks.
SEC("raw_tp/sys_enter")
int record_stack(struct bpf_raw_tracepoint_args *ctx) {
  __u32 zero = 0;
  __s64 id = bpf_get_stackid(ctx, &stacks, 0);
  bpf_map_update_elem(&last_stack, &zero, &id, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
