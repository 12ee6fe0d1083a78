// The C half of the mixed object: called from mixed.bpf.cpp.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__hidden __u32 c_mix(__u32 seed, __u32 value) { return seed * 31 + value + 50; }
