// cpp_flow_counter: BPF programs in C++.
//
//   count_flows  (XDP)        packets and bytes per IPv4 UDP/TCP flow; drops
//                             the flows to `blocked_port`
//   police_flows (tc)         the same verdict on the tc path
//   track_tcp    (tracepoint) TCP state changes of connections to
//                             `watched_port`, read through CO-RE
//
// Written as in C, with C++ on top: a namespace, templates, constexpr, auto
// and static_cast. The types the kernel and the host share (map keys and
// values, globals) stay plain structs; programs stay free functions at
// global scope, and keep their plain names.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/test.h>

// Shared with the host through the skeleton: flow_counter::types::flow_key.
struct flow_key {
  __u32 saddr;  // network byte order
  __u32 daddr;
  __u16 sport;  // host byte order
  __u16 dport;
  __u8 protocol;
  __u8 padding[3];
};

struct flow_counts {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct flow_key);
  __type(value, struct flow_counts);
} flows SEC(".maps");

// Indexed by TCP state (TCP_ESTABLISHED, TCP_CLOSE...): changes into it.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u64);
} tcp_states SEC(".maps");

// tc verdicts (#defines of linux/pkt_cls.h in C).
constexpr int TC_ACT_OK = 0;
constexpr int TC_ACT_SHOT = 2;

// Set by the host before load: 0 blocks nothing, watches nothing.
const volatile __u16 blocked_port = 0;
const volatile __u16 watched_port = 0;

namespace flow {

constexpr __u16 ethertype_ipv4 = 0x0800;
constexpr __u8 ipproto_tcp = 6;
constexpr __u8 ipproto_udp = 17;

// The packet between data and data_end: every header is bounds-checked
// where it is read, so the verifier sees each check.
struct packet {
  const void *data;
  const void *end;

  template <typename Header>
  __always_inline const Header *header_at(__u32 offset) const {
    auto *header = reinterpret_cast<const Header *>(static_cast<const char *>(data) + offset);
    return reinterpret_cast<const void *>(header + 1) > end ? nullptr : header;
  }
};

// What UDP and TCP headers both start with.
struct ports {
  __be16 source;
  __be16 dest;
};

// The flow of an IPv4 UDP or TCP packet; false for anything else.
__always_inline bool parse(const packet &p, flow_key &key) {
  const auto *eth = p.header_at<struct ethhdr>(0);
  if (!eth || eth->h_proto != bpf_htons(ethertype_ipv4)) return false;
  const auto *ip = p.header_at<struct iphdr>(sizeof(struct ethhdr));
  if (!ip || ip->ihl < 5) return false;
  key.saddr = ip->saddr;
  key.daddr = ip->daddr;
  key.protocol = ip->protocol;
  if (ip->protocol != ipproto_udp && ip->protocol != ipproto_tcp) return false;
  const auto *transport = p.header_at<ports>(sizeof(struct ethhdr) + ip->ihl * 4u);
  if (!transport) return false;
  key.sport = bpf_ntohs(transport->source);
  key.dport = bpf_ntohs(transport->dest);
  return true;
}

__always_inline void count(const flow_key &key, __u64 bytes) {
  auto *stats = static_cast<flow_counts *>(bpf_map_lookup_elem(&flows, &key));
  if (stats) {
    __sync_fetch_and_add(&stats->packets, 1);
    __sync_fetch_and_add(&stats->bytes, bytes);
    return;
  }
  const flow_counts first{1, bytes};
  bpf_map_update_elem(&flows, &key, &first, BPF_NOEXIST);
}

__always_inline bool blocked(const flow_key &key) {
  return blocked_port != 0 && key.dport == blocked_port;
}

}  // namespace flow

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp(dport=53)")
BPFKIT_EXPECT_RETVAL(XDP_PASS)
BPFKIT_EXPECT_MAP("count(flows) == 1")
int count_flows(struct xdp_md *ctx) {
  const flow::packet p{reinterpret_cast<const void *>(static_cast<long>(ctx->data)),
                       reinterpret_cast<const void *>(static_cast<long>(ctx->data_end))};
  flow_key key{};
  if (!flow::parse(p, key)) return XDP_PASS;
  flow::count(key, static_cast<__u64>(ctx->data_end - ctx->data));
  return flow::blocked(key) ? XDP_DROP : XDP_PASS;
}

SEC("tc")
BPFKIT_TEST_PACKET("eth/ipv4/tcp(dport=443)")
BPFKIT_EXPECT_RETVAL(TC_ACT_OK)
int police_flows(struct __sk_buff *skb) {
  const flow::packet p{reinterpret_cast<const void *>(static_cast<long>(skb->data)),
                       reinterpret_cast<const void *>(static_cast<long>(skb->data_end))};
  flow_key key{};
  if (!flow::parse(p, key)) return TC_ACT_OK;
  return flow::blocked(key) ? TC_ACT_SHOT : TC_ACT_OK;
}

// The context is a kernel struct whose layout may change between kernels:
// each field is read through CO-RE (__builtin_preserve_access_index), which
// libbpf relocates to the running kernel's offsets at load time.
SEC("tracepoint/sock/inet_sock_set_state")
int track_tcp(struct trace_event_raw_inet_sock_set_state *ctx) {
  const __u16 protocol = __builtin_preserve_access_index(ctx->protocol);
  const __u16 dport = __builtin_preserve_access_index(ctx->dport);
  if (protocol != flow::ipproto_tcp || watched_port == 0 || dport != watched_port) return 0;
  const __u32 state = static_cast<__u32>(__builtin_preserve_access_index(ctx->newstate));
  auto *changes = static_cast<__u64 *>(bpf_map_lookup_elem(&tcp_states, &state));
  if (changes) __sync_fetch_and_add(changes, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
