#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <multi/shared.h>

MULTI_COUNTS_MAP;

__hidden __noinline int scale(int x) { return x * MULTI_SCALE; }

char LICENSE[] SEC("license") = "GPL";
