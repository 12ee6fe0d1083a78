// SPDX-License-Identifier: GPL-2.0
/* mountsnoop: mount() and umount() calls with their arguments, result and
 * mount namespace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PATH_LEN 128
#define FS_LEN 32

enum mount_op { OP_MOUNT, OP_UMOUNT };

struct mount_call {
	__u64 flags;
	__u64 delta_ns;
	__u64 start_ns;
	__u32 pid;
	__u32 mnt_ns;
	int ret;
	enum mount_op op;
	const char *src_ptr, *dest_ptr, *fs_ptr, *data_ptr;
	char comm[16];
	char src[PATH_LEN];
	char dest[PATH_LEN];
	char fs[FS_LEN];
	char data[PATH_LEN];
};

const volatile pid_t only_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct mount_call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} mounts SEC(".maps");

static const struct mount_call no_call;

static __always_inline int enter(enum mount_op op, const char *src, const char *dest,
				 const char *fs, __u64 flags, const char *data)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct mount_call *c;

	if (only_pid && (id >> 32) != only_pid)
		return 0;
	if (bpf_map_update_elem(&calls, &tid, &no_call, BPF_ANY))
		return 0;
	c = bpf_map_lookup_elem(&calls, &tid);
	if (!c)
		return 0;
	c->op = op;
	c->flags = flags;
	c->start_ns = bpf_ktime_get_ns();
	c->src_ptr = src;
	c->dest_ptr = dest;
	c->fs_ptr = fs;
	c->data_ptr = data;
	return 0;
}

static __always_inline int leave(void *ctx, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)id;
	struct mount_call *c = bpf_map_lookup_elem(&calls, &tid);

	if (!c)
		return 0;
	c->ret = ret;
	c->pid = id >> 32;
	c->delta_ns = bpf_ktime_get_ns() - c->start_ns;
	c->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	bpf_probe_read_user_str(c->src, sizeof(c->src), c->src_ptr);
	bpf_probe_read_user_str(c->dest, sizeof(c->dest), c->dest_ptr);
	bpf_probe_read_user_str(c->fs, sizeof(c->fs), c->fs_ptr);
	bpf_probe_read_user_str(c->data, sizeof(c->data), c->data_ptr);
	bpf_perf_event_output(ctx, &mounts, BPF_F_CURRENT_CPU, c, sizeof(*c));
	bpf_map_delete_elem(&calls, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mount")
int mount_entry(struct trace_event_raw_sys_enter *ctx)
{
	return enter(OP_MOUNT, (const char *)ctx->args[0], (const char *)ctx->args[1],
		     (const char *)ctx->args[2], ctx->args[3], (const char *)ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_exit_mount")
int mount_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx, (int)ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_umount")
int umount_entry(struct trace_event_raw_sys_enter *ctx)
{
	return enter(OP_UMOUNT, 0, (const char *)ctx->args[0], 0, ctx->args[1], 0);
}

SEC("tracepoint/syscalls/sys_exit_umount")
int umount_exit(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx, (int)ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
