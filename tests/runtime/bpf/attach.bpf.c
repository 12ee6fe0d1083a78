// One program per kind of hook. Tracing programs count, per process, how
// often they ran (counts[{tgid, kind}]), so a test sees only its own calls.
// The XDP and tc programs count packets in their own array.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "runtime_types.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct hook_key);
  __type(value, __u64);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);  // [0] XDP, [1] tc
  __type(key, __u32);
  __type(value, __u64);
} packets SEC(".maps");

static void bump(__u32 kind) {
  struct hook_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .kind = kind};
  __u64 one = 1, *count = bpf_map_lookup_elem(&counts, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
}

static void count_packet(__u32 index) {
  __u64 *count = bpf_map_lookup_elem(&packets, &index);
  if (count)
    __sync_fetch_and_add(count, 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx) {
  bump(HOOK_TRACEPOINT);
  return 0;
}

SEC("raw_tracepoint/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx) {
  bump(HOOK_RAW_TRACEPOINT);
  return 0;
}

SEC("kprobe")
int on_kprobe(void *ctx) {
  bump(HOOK_KPROBE);
  return 0;
}

SEC("kretprobe")
int on_kretprobe(void *ctx) {
  bump(HOOK_KRETPROBE);
  return 0;
}

SEC("uprobe")
int on_uprobe(void *ctx) {
  bump(HOOK_UPROBE);
  return 0;
}

SEC("uretprobe")
int on_uretprobe(void *ctx) {
  bump(HOOK_URETPROBE);
  return 0;
}

SEC("tp_btf/sys_enter")
int on_sys_enter_btf(unsigned long long *ctx) {
  bump(HOOK_TP_BTF);
  return 0;
}

SEC("xdp")
int count_xdp(struct xdp_md *ctx) {
  count_packet(0);
  return XDP_PASS;
}

SEC("tc")
int count_tc(struct __sk_buff *skb) {
  count_packet(1);
  return 0;  // TC_ACT_OK (a macro, not in vmlinux.h)
}

char LICENSE[] SEC("license") = "GPL";
