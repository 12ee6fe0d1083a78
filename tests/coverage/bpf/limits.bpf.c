// Programs at the verifier's limits, for the coverage tests: one whose
// instrumented copy processes more instructions than the verifier allows
// (coverage cannot be taken, the test must say why and run the plain
// program), one with no room left on its stack for the counters' scratch
// registers where every register is in use (that function stays plain, the
// others are counted), and one where every register is in use but the
// stack has room (its counters save and restore two registers).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef HEAVY_ITERATIONS
#define HEAVY_ITERATIONS 85000
#endif

__u64 heavy_result = 0, light_runs = 0, full_stack_result = 0, crowded_result = 0;

// The verifier walks this loop once per iteration (the counter is known at
// each step, so nothing is pruned): the plain program stays under the
// 1,000,000 instructions the verifier processes at most, the instrumented
// one (a counter per block and per taken branch) goes past them.
SEC("xdp")
int heavy_loop(struct xdp_md *ctx) {
  __u64 sum = ctx->data_end - ctx->data;
  for (__u32 i = 0; i < HEAVY_ITERATIONS; i++)
    sum = sum * 31 + (sum >> 7) + i;
  heavy_result = sum;
  return XDP_PASS;
}

// Nothing unusual: counted whatever happens to the others.
SEC("xdp")
int light(struct xdp_md *ctx) {
  __sync_fetch_and_add(&light_runs, 1);
  return XDP_PASS;
}

struct big_value {
  __u8 bytes[496];
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct big_value);
} big SEC(".maps");

// 500 bytes of stack (a map value built there), then a block that starts
// with every register live: a counter there would have to save two
// registers below those 500 bytes, past the 512-byte limit.
SEC("xdp")
int full_stack(struct xdp_md *ctx) {
  struct big_value value;
  __u32 key = 0;
  __builtin_memset(&value, 0, sizeof(value));
  value.bytes[0] = ctx->data_end - ctx->data;
  bpf_map_update_elem(&big, &key, &value, BPF_ANY);
  __u64 total;
  asm volatile(
      "%[total] = 0; r1 = 1; r2 = 2; r3 = 3; r4 = 4; r5 = 5; r6 = 6; r7 = 7; r8 = 8; r9 = 9;"
      "if r1 == 0 goto +0;"
      "%[total] += r1; %[total] += r2; %[total] += r3; %[total] += r4; %[total] += r5;"
      "%[total] += r6; %[total] += r7; %[total] += r8; %[total] += r9;"
      : [total] "=r"(total)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory");
  full_stack_result = total;
  return XDP_PASS;
}

// Every register live at a block start (the asm's "if ... goto +0" starts
// one), with the stack free: the counters there save two registers below
// the function's stack and restore them.
SEC("xdp")
int crowded(struct xdp_md *ctx) {
  __u64 total;
  asm volatile(
      "%[total] = 0; r1 = 1; r2 = 2; r3 = 3; r4 = 4; r5 = 5; r6 = 6; r7 = 7; r8 = 8; r9 = 9;"
      "if r1 == 0 goto +0;"
      "%[total] += r1; %[total] += r2; %[total] += r3; %[total] += r4; %[total] += r5;"
      "%[total] += r6; %[total] += r7; %[total] += r8; %[total] += r9;"
      : [total] "=r"(total)
      :
      : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory");
  crowded_result = total;  // COVER(crowded)
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
