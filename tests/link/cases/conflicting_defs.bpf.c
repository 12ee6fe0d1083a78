// Defines "shared_counts" again (see shared_defs.bpf.c): a conflict that only
// libbpf's linker reports; bpfkit-link must pass its message on.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u32);
} shared_counts SEC(".maps");
