// Externs the kernel resolves at load time: not link errors.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_BPFKIT_NOT_A_REAL_OPTION __kconfig __weak;
extern const int bpf_prog_active __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tc")
int load_time_externs(struct __sk_buff *skb) {
  bpf_rcu_read_lock();
  bpf_rcu_read_unlock();
  return LINUX_KERNEL_VERSION + CONFIG_BPFKIT_NOT_A_REAL_OPTION + (long)&bpf_prog_active;
}

char LICENSE[] SEC("license") = "GPL";
