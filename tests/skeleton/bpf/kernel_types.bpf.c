// skeleton.kernel_types: globals of large kernel types (from this kernel's
// vmlinux.h), whose layouts use every trick C has: bit-fields, nested
// anonymous unions, packed and aligned structs, zero-size members, flexible
// arrays. The generated header must compile with its static_asserts.
// Built with NO_SKELETON: the test generates the header itself, so that a
// kernel type it cannot represent fails the test, not the build.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct task_struct g_task;
struct sk_buff g_skb;
struct net_device g_dev;
struct page g_page;
struct inode g_inode;
struct file g_file;
struct sock g_sock;
struct tcp_sock g_tcp;
struct mm_struct g_mm;
struct super_block g_sb;
struct bpf_prog_aux g_aux;
struct bpf_map g_map;
struct xdp_buff g_xdp;
struct perf_event g_perf;
struct cgroup g_cgroup;
union bpf_attr g_attr;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, struct sockaddr_in6);
  __type(value, struct iphdr);
} kernel_map SEC(".maps");

SEC("xdp")
int pass(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
