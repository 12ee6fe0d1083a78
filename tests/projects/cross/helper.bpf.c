#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__hidden __noinline int helper_value(void) { return XDP_PASS; }
