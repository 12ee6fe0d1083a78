// A CO-RE relocation no kernel can resolve: a field task_struct does not
// have. libbpf poisons the instruction and the verifier trips on it; the
// report must say "CO-RE relocation", not "rejected by the verifier", and
// point at the line of the read. The second program is fine.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct task_struct___bpfkit {
  int bpfkit_no_such_field;
} __attribute__((preserve_access_index));

SEC("tp/syscalls/sys_enter_getppid")
int unresolved_field(void *ctx) {
  return BPF_CORE_READ((struct task_struct___bpfkit *)bpf_get_current_task(), bpfkit_no_such_field);  // CORE_LINE
}

SEC("xdp")
int resolved_fine(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
