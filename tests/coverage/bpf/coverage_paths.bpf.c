// Programs whose line counts the coverage tests check exactly. The lines a
// test looks up carry a marker comment COVER(<name>); the test finds their
// numbers in this file.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 all_runs = 0, huge_runs = 0, long_stamp = 0, short_stamp = 0;

// A subprogram (bpf-to-bpf call): its counters are shared by every program
// that calls it.
static __attribute__((noinline)) int classify(__u32 len) {
  if (len > 200)
    return 2;
  return 1;
}

// Each branch calls a different helper, so that the compiler cannot merge
// the two into one instruction stream (a select), as it would for two
// stores: both branches keep lines of their own.
SEC("xdp")
int branch_on_length(struct xdp_md *ctx) {
  __u32 len = ctx->data_end - ctx->data;
  __sync_fetch_and_add(&all_runs, 1);  // COVER(always)
  if (len > 100)                        // COVER(condition)
    long_stamp = bpf_ktime_get_ns();    // COVER(long_packet)
  else
    short_stamp = bpf_get_prandom_u32();  // COVER(short_packet)
  if (classify(len) == 2)
    __sync_fetch_and_add(&huge_runs, 1);  // COVER(huge_packet)
  return XDP_PASS;
}

// No test runs it: its lines must show 0.
SEC("xdp")
int never_run(struct xdp_md *ctx) {
  __sync_fetch_and_add(&all_runs, 100);  // COVER(never)
  return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
