// helpers.bpf.c: a function the linked object shares between its sources.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__hidden __noinline __u32 counter_key(void) { return 0; }
