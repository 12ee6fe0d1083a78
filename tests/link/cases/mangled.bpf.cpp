// C++ without extern "C": the program, map and variable get mangled names.
// libbpf's bpf_helpers.h is C only, so the few macros needed are spelled out.
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

struct counter_map {
  int (*type)[BPF_MAP_TYPE_ARRAY];
  int (*max_entries)[1];
  __u32 *key;
  __u64 *value;
};

namespace app {
counter_map counters SEC(".maps");
__u64 packets_seen;
}  // namespace app

SEC("xdp")
int count(xdp_md *ctx) {
  app::packets_seen++;
  return XDP_PASS;
}

extern "C" {
char LICENSE[] SEC("license") = "GPL";
}
