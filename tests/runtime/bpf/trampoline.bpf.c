// fentry/fexit programs, apart from attach.bpf.c because some kernels refuse
// BPF trampolines (EPERM even for root) and the other hooks must still load.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "runtime_types.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8);
  __type(key, struct hook_key);
  __type(value, __u64);
} counts SEC(".maps");

static void bump(__u32 kind) {
  struct hook_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .kind = kind};
  __u64 one = 1, *count = bpf_map_lookup_elem(&counts, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
}

SEC("fentry/vfs_write")
int on_vfs_write(unsigned long long *ctx) {
  bump(HOOK_FENTRY);
  return 0;
}

SEC("fexit/vfs_write")
int on_vfs_write_exit(unsigned long long *ctx) {
  bump(HOOK_FEXIT);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
