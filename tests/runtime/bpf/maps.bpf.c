// Programs and maps for the map round-trip tests: one map of every kind the
// runtime has a class for, and XDP programs that fill them when test-run.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "runtime_types.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u64);
} hash SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} lru SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, struct triple);
} array SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u32);  // 4 bytes: the kernel pads each CPU's copy to 8
} percpu_hash SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, struct triple);  // 12 bytes, padded to 16 per CPU
} percpu_array SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 16);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct ipv4_prefix);
  __type(value, __u32);
} routes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_QUEUE);
  __uint(max_entries, 8);
  __type(value, __u64);
} queue SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK);
  __uint(max_entries, 8);
  __type(value, __u64);
} stack SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

__u64 runs;  // .bss: counts rewrite_packet's runs

// Counts its runs per CPU: percpu_array[0].a and percpu_hash[7].
SEC("xdp")
int count_per_cpu(struct xdp_md *ctx) {
  __u32 zero = 0, key = 7, one = 1;
  struct triple *t = bpf_map_lookup_elem(&percpu_array, &zero);
  if (t)
    t->a += 1;
  __u32 *n = bpf_map_lookup_elem(&percpu_hash, &key);
  if (n)
    *n += 1;
  else
    bpf_map_update_elem(&percpu_hash, &key, &one, BPF_NOEXIST);
  return XDP_PASS;
}

// Pushes 1, 2, 3 on the queue and on the stack.
SEC("xdp")
int push_values(struct xdp_md *ctx) {
  for (__u64 v = 1; v <= 3; v++) {
    // Push a copy: kernels before 6.x lose the bounds of a loop counter whose
    // address escapes into a helper call ("infinite loop detected").
    __u64 value = v;
    bpf_map_push_elem(&queue, &value, BPF_ANY);
    bpf_map_push_elem(&stack, &value, BPF_ANY);
  }
  return XDP_PASS;
}

// One typed event per run: the packet's length and first byte.
SEC("xdp")
int emit_event(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  if (data + 1 > end)
    return XDP_ABORTED;
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e)
    return XDP_ABORTED;
  e->magic = EVENT_MAGIC;
  e->length = end - data;
  e->first_byte = *(__u8 *)data;
  bpf_ringbuf_submit(e, 0);
  return XDP_PASS;
}

// The same event through the perf event array, from the CPU it runs on.
SEC("xdp")
int emit_sample(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  if (data + 1 > end)
    return XDP_ABORTED;
  struct event e = {.magic = EVENT_MAGIC, .length = end - data, .first_byte = *(__u8 *)data};
  bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &e, sizeof(e));
  return XDP_PASS;
}

// Writes 0xab over the first byte and bounces the packet (XDP_TX).
SEC("xdp")
int rewrite_packet(struct xdp_md *ctx) {
  __u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  runs++;
  if (data + 1 > end)
    return XDP_ABORTED;
  data[0] = 0xab;
  return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
