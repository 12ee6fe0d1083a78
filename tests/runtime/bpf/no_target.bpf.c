// The first program's attach target is not in any kernel's BTF; the second
// program is fine. The load report must give both verdicts: the first failed
// before the verifier (its attach target), the second was accepted.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("fentry/bpfkit_no_such_function")
int missing_target(unsigned long long *ctx) {
  return 0;
}

SEC("xdp")
int accepted_second(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
