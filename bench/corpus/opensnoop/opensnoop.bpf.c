// SPDX-License-Identifier: GPL-2.0
/* opensnoop: open() and openat() calls with the path, flags and result,
 * filtered by process, user and outcome. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opensnoop.h"

const volatile pid_t filter_pid = 0;
const volatile pid_t filter_tid = 0;
const volatile __u32 filter_uid = (__u32)-1;
const volatile bool only_failed = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct open_args);
} in_flight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} open_events SEC(".maps");

__u64 dropped = 0;

static __always_inline bool wanted(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (filter_pid && (id >> 32) != filter_pid)
		return false;
	if (filter_tid && (__u32)id != filter_tid)
		return false;
	if (filter_uid != (__u32)-1 && (__u32)bpf_get_current_uid_gid() != filter_uid)
		return false;
	return true;
}

static __always_inline int remember(const char *path, int flags, unsigned short mode)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct open_args args = { .path = path, .flags = flags, .mode = mode };

	if (wanted())
		bpf_map_update_elem(&in_flight, &tid, &args, BPF_ANY);
	return 0;
}

static __always_inline int report(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct open_args *args;
	struct open_event *e;

	args = bpf_map_lookup_elem(&in_flight, &tid);
	if (!args)
		return 0;
	if (only_failed && ret >= 0)
		goto done;
	e = bpf_ringbuf_reserve(&open_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		goto done;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->flags = args->flags;
	e->mode = args->mode;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->path, sizeof(e->path), args->path);
	bpf_ringbuf_submit(e, 0);
done:
	bpf_map_delete_elem(&in_flight, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int on_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[0], (int)ctx->args[1], (unsigned short)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[1], (int)ctx->args[2], (unsigned short)ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int on_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return report((int)ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int on_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return report((int)ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
