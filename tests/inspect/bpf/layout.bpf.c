// Types for `bpfkit btf`: holes, trailing padding, bitfields, anonymous
// members, arrays and enums, used by maps, globals and a program. The
// expected layouts are in tests/inspect/CMakeLists.txt (inspect.btf.*).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum flow_state { FLOW_NEW = 0, FLOW_ESTABLISHED = 1, FLOW_CLOSED = 7, FLOW_ERROR = -1 };

// A map key as users write it first: 13 bytes of data, 3 of padding.
struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 sport;
  __u16 dport;
  __u8 proto;
};

// The acceptance-style value: a hole after `pid`, bitfields with a hole
// after them, an anonymous union, a named member of an anonymous struct type,
// an enum, an array, and padding at the end.
struct flow_stats {
  __u32 pid;                 //  0  4, then a 4-byte hole
  __u64 packets;             //  8  8
  __u64 bytes;               // 16  8
  __u8 kind : 3;             // 24:0, 3 bits
  __u8 urgent : 1;           // 24:3, 1 bit, then 12 bits of hole
  __u16 mss;                 // 26  2
  union {                    // 28  16
    __u32 v4;
    __u8 v6[16];
  };
  struct {
    __u16 lo;
    __u16 hi;
  } ports;                   // 44  4
  enum flow_state state;     // 48  4
  char comm[16];             // 52 16
  __u8 tail;                 // 68  1, then 3 bytes of padding
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct flow_key);
  __type(value, struct flow_stats);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} totals SEC(".maps");

__u64 packets_seen = 0;
volatile const __u32 sample_rate = 1;

SEC("xdp")
int count_flows(struct xdp_md *ctx) {
  struct flow_key key = {};
  key.proto = (__u8)(ctx->ingress_ifindex & 0xff);
  struct flow_stats *stats = bpf_map_lookup_elem(&flows, &key);
  if (stats) stats->packets += sample_rate;
  __sync_fetch_and_add(&packets_seen, 1);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
