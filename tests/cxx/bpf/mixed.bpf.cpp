// A C++ BPF source beside a C one (mixed_helpers.bpf.c) in one object:
// programs with plain names, maps of C++ types, CO-RE reads of task_struct,
// a C function called through extern "C", and bpfkit/test.h annotations.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

// Defined __hidden in mixed_helpers.bpf.c.
extern "C" __u32 c_mix(__u32 seed, __u32 value);

namespace mixed {

constexpr __u16 dns_port = 53;

template <typename Header>
static __always_inline const Header *header_at(const void *data, const void *end, __u32 offset) {
  auto *header = reinterpret_cast<const Header *>(static_cast<const char *>(data) + offset);
  return reinterpret_cast<const void *>(header + 1) > end ? nullptr : header;
}

}  // namespace mixed

struct task_ids {
  __u32 tgid;
  __u32 ppid;
  __u64 calls;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct task_ids);
} seen_ids SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} mixes SEC(".maps");

// Only the test's own process is recorded (set before load).
const volatile __u32 target_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(struct trace_event_raw_sys_enter *ctx) {
  auto *task = reinterpret_cast<struct task_struct *>(bpf_get_current_task());
  const __u32 tgid = BPF_CORE_READ(task, tgid);
  if (tgid != target_tgid) return 0;
  __u32 key = 0;
  auto *ids = static_cast<struct task_ids *>(bpf_map_lookup_elem(&seen_ids, &key));
  if (!ids) return 0;
  ids->tgid = tgid;
  ids->ppid = BPF_CORE_READ(task, real_parent, tgid);
  ids->calls += 1;
  return 0;
}

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp(dport=53)")
BPFKIT_EXPECT_RETVAL(XDP_DROP)
BPFKIT_EXPECT_MAP("mixes[0] == 1700")
int drop_dns(struct xdp_md *ctx) {
  const void *data = reinterpret_cast<const void *>(static_cast<long>(ctx->data));
  const void *end = reinterpret_cast<const void *>(static_cast<long>(ctx->data_end));
  const auto *udp =
      mixed::header_at<struct udphdr>(data, end, sizeof(struct ethhdr) + sizeof(struct iphdr));
  if (!udp) return XDP_PASS;
  __u32 key = 0;
  __u32 mix = c_mix(bpf_ntohs(udp->dest), 7);  // 53 * 31 + 7 + 50 (the C side adds 50)
  bpf_map_update_elem(&mixes, &key, &mix, BPF_ANY);
  return bpf_ntohs(udp->dest) == mixed::dns_port ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
BPFKIT_EXPECT_FAILURE("invalid access to packet")
int reads_past_the_end(struct xdp_md *ctx) {
  const unsigned char *data = reinterpret_cast<const unsigned char *>(static_cast<long>(ctx->data));
  return data[40] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
