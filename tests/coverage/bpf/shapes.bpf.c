// Programs shaped like libbpf-bootstrap's and bcc libbpf-tools' (a pid
// filter in .rodata, CO-RE reads of kernel structs, a ring buffer, hash and
// per-CPU maps, bounded loops, bpf_loop callbacks, a global function, tail
// calls through a prog array), and
// the program types BPF_PROG_TEST_RUN serves (XDP, tc, socket filter,
// raw tracepoint). The coverage tests instrument them, load them and run
// them in the kernel: the counts must match what the programs counted.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

// Kernel types as CO-RE sees them: only the fields read, relocated at load.
struct task_struct {
  int pid;
  int tgid;
  struct task_struct *real_parent;
} __attribute__((preserve_access_index));

struct event {
  __u32 pid;
  __u32 ppid;
  __u64 iterations;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} calls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} packets SEC(".maps");

const volatile __u32 targ_tgid = 0;  // libbpf-tools' pid filter, set before load
__u64 loop_total = 0;                 // .bss
__u64 last_ipv4 = 0, last_other = 0;
__u32 loop_limit = 10;                // .data

struct loop_ctx {
  __u64 sum;
};

static long add_index(__u32 index, void *data) {
  struct loop_ctx *c = data;
  c->sum += index;  // COVER(callback)
  return 0;
}

// A global function: the verifier checks it on its own, by its BTF type.
__attribute__((noinline)) int count_call(__u32 tgid) {
  __u64 one = 1, *count = bpf_map_lookup_elem(&calls, &tgid);  // COVER(global_function)
  if (count) {
    __sync_fetch_and_add(count, 1);
    return 0;
  }
  bpf_map_update_elem(&calls, &tgid, &one, BPF_NOEXIST);
  return 1;
}

// bootstrap/libbpf-tools: filter by pid, read the parent through CO-RE,
// count in a hash map, send an event through the ring buffer.
SEC("tp/syscalls/sys_enter_getpgid")
int trace_getpgid(void *ctx) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (targ_tgid && tgid != targ_tgid)
    return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);  // COVER(reserve)
  if (!e)
    return 0;
  e->pid = tgid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  struct loop_ctx c = {0};
  bpf_loop(loop_limit, add_index, &c, 0);
  e->iterations = c.sum;
  bpf_ringbuf_submit(e, 0);
  count_call(tgid);
  return 0;
}

// raw_tp programs take their arguments from BPF_PROG_TEST_RUN's ctx_in.
SEC("raw_tp/sys_enter")
int sum_args(struct bpf_raw_tracepoint_args *ctx) {
  __u64 total = 0;
  for (int i = 0; i < 6; i++) {
    if (ctx->args[0] & (1ull << i))
      total += i;
  }
  __sync_fetch_and_add(&loop_total, total);  // COVER(raw_tp)
  return 0;
}

static __always_inline int ether_type(void *data, void *end) {
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end)
    return -1;
  return __builtin_bswap16(eth->h_proto);
}

SEC("tc")
int classify_tc(struct __sk_buff *skb) {
  int type = ether_type((void *)(long)skb->data, (void *)(long)skb->data_end);
  if (type == ETH_P_IP) {
    last_ipv4 = bpf_ktime_get_ns();  // COVER(ipv4)
    return TC_ACT_OK;
  }
  last_other = bpf_get_prandom_u32() | 1;  // COVER(other)
  return TC_ACT_SHOT;
}

// Socket filters see the packet from its network header on.
SEC("socket")
int keep_udp(struct __sk_buff *skb) {
  __u8 ip_proto = 0;
  if (skb->protocol != __builtin_bswap16(ETH_P_IP))
    return 0;
  if (bpf_skb_load_bytes(skb, 9, &ip_proto, sizeof(ip_proto)) < 0)  // COVER(socket)
    return 0;
  return ip_proto == 17 ? skb->len : 0;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&packets, &key);  // COVER(xdp)
  if (count)
    *count += 1;
  struct loop_ctx c = {0};
  __u32 n = loop_limit;
  for (__u32 i = 0; i < n && i < 32; i++)
    c.sum += i;
  __sync_fetch_and_add(&loop_total, c.sum);
  return XDP_PASS;
}

// Tail calls (Cilium's and many dispatchers' shape): the prog array is
// filled by libbpf from its initialiser; slot 1 stays empty, so a tail call
// to it fails and the caller goes on.
__u64 tail_hits = 0, tail_missed = 0;
int tail_target(struct xdp_md *ctx);

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __array(values, int(void *));
} jump_table SEC(".maps") = {
    .values = {[0] = (void *)&tail_target},
};

SEC("xdp")
int tail_target(struct xdp_md *ctx) {
  __sync_fetch_and_add(&tail_hits, 1);  // COVER(tail_target)
  return XDP_DROP;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx) {
  __u32 slot = ctx->data_end - ctx->data > 100 ? 1 : 0;
  bpf_tail_call(ctx, &jump_table, slot);
  __sync_fetch_and_add(&tail_missed, 1);  // COVER(tail_missed)
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
