// bpfkit::program_type: what kind of program a program is.
#pragma once

#include <cstdint>
#include <string>

namespace bpfkit {

// The kernel's program types (enum bpf_prog_type of <linux/bpf.h>, same values).
enum class program_type : std::uint32_t {
  unspec,
  socket_filter,
  kprobe,
  sched_cls,
  sched_act,
  tracepoint,
  xdp,
  perf_event,
  cgroup_skb,
  cgroup_sock,
  lwt_in,
  lwt_out,
  lwt_xmit,
  sock_ops,
  sk_skb,
  cgroup_device,
  sk_msg,
  raw_tracepoint,
  cgroup_sock_addr,
  lwt_seg6local,
  lirc_mode2,
  sk_reuseport,
  flow_dissector,
  cgroup_sysctl,
  raw_tracepoint_writable,
  cgroup_sockopt,
  tracing,
  struct_ops,
  ext,
  lsm,
  sk_lookup,
  syscall,
  netfilter,
};

// libbpf's name of the type ("xdp", "sched_cls", "tracing", ...); "program
// type N" for a type this build does not know.
std::string program_type_name(program_type type);

}  // namespace bpfkit
