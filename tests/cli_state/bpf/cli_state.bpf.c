// Programs and maps for the `bpfkit run|load|attach|map|unpin` tests.
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define EVENT_MAGIC 0xb9f0c0de
#define TC_ACT_SHOT 2

// A struct key and value, read and written by field name in the tests.
struct flow_key {
  __be32 saddr;
  __u16 port;
  __u8 proto;
  __u8 pad;
};

struct flow_counts {
  __u64 packets;
  __u64 bytes;
};

struct event {
  __u32 magic;
  __u32 length;
  __u64 sequence;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct flow_key);
  __type(value, struct flow_counts);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} percpu_counts SEC(".maps");

// calls[tgid]: how often each process ran getppid() while attached.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u64);
} calls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

const volatile __u32 drop_port = 9;  // .rodata: never shown as changed
__u64 sequence;                      // .bss

static void bump(__u32 index) {
  __u64 *n = bpf_map_lookup_elem(&counters, &index);
  if (n)
    __sync_fetch_and_add(n, 1);
}

// Counts IPv4 UDP flows; drops UDP to drop_port and everything not UDP.
SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  __u32 zero = 0;
  __u64 *cpu = bpf_map_lookup_elem(&percpu_counts, &zero);
  if (cpu)
    *cpu += 1;
  bump(0);
  if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
    return XDP_DROP;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
    return XDP_DROP;
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > end)
    return XDP_ABORTED;
  struct flow_key key = {.saddr = ip->saddr, .port = bpf_ntohs(udp->dest), .proto = ip->protocol};
  struct flow_counts *stats = bpf_map_lookup_elem(&flows, &key);
  if (stats) {
    stats->packets++;
    stats->bytes += end - data;
  } else {
    struct flow_counts first = {.packets = 1, .bytes = end - data};
    bpf_map_update_elem(&flows, &key, &first, BPF_NOEXIST);
  }
  return key.port == drop_port ? XDP_DROP : XDP_PASS;
}

// A type used only by local variables does not reach BTF; as the parameter
// of a (not inlined) function it does, so `bpfkit map watch --type event`
// finds it.
static __attribute__((noinline)) int fill_event(struct event *e, __u32 length) {
  e->magic = EVENT_MAGIC;
  e->length = length;
  e->sequence = __sync_fetch_and_add(&sequence, 1) + 1;
  return 0;
}

// One event per run into the ring buffer.
SEC("xdp")
int emit_event(struct xdp_md *ctx) {
  struct event e = {};
  fill_event(&e, ctx->data_end - ctx->data);
  bpf_ringbuf_output(&events, &e, sizeof(e), 0);
  return XDP_PASS;
}

// The same event through the perf event array.
SEC("xdp")
int emit_sample(struct xdp_md *ctx) {
  struct event e = {};
  fill_event(&e, ctx->data_end - ctx->data);
  bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &e, sizeof(e));
  return XDP_PASS;
}

SEC("tc")
int tc_drop(struct __sk_buff *skb) {
  bump(1);
  return TC_ACT_SHOT;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  __u64 one = 1, *n = bpf_map_lookup_elem(&calls, &tgid);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&calls, &tgid, &one, BPF_NOEXIST);
  return 0;
}

SEC("kprobe/do_nanosleep")
int on_nanosleep(void *ctx) {
  bump(2);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
