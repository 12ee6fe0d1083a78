// SPDX-License-Identifier: GPL-2.0
/* filelife: short-lived files, from creation to unlink, with their name and
 * age, via kprobes on the VFS. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define DNAME_LEN 64

struct file_death {
	__u64 age_ns;
	__u32 pid;
	char comm[16];
	char name[DNAME_LEN];
};

const volatile pid_t only_tgid = 0;
const volatile __u64 younger_than_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct dentry *);
	__type(value, __u64);
} births SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} deaths SEC(".maps");

static __always_inline int born(struct dentry *dentry)
{
	__u64 now = bpf_ktime_get_ns();

	if (only_tgid && (bpf_get_current_pid_tgid() >> 32) != only_tgid)
		return 0;
	bpf_map_update_elem(&births, &dentry, &now, BPF_ANY);
	return 0;
}

/* vfs_create gained a mnt_idmap (6.3) after a user_namespace (5.12) first
 * argument: the dentry moves from the 2nd to the 3rd argument. */
SEC("kprobe/vfs_create")
int BPF_KPROBE(on_vfs_create, void *arg0, void *arg1, void *arg2)
{
	if (bpf_core_type_exists(struct mnt_idmap) || bpf_core_type_exists(struct user_namespace))
		return born(arg2);
	return born(arg1);
}

SEC("kprobe/vfs_unlink")
int BPF_KPROBE(on_vfs_unlink, void *arg0, void *arg1, void *arg2)
{
	struct dentry *dentry = (bpf_core_type_exists(struct mnt_idmap) ||
				 bpf_core_type_exists(struct user_namespace)) ? arg2 : arg1;
	struct file_death *d;
	__u64 *birth, age;

	birth = bpf_map_lookup_elem(&births, &dentry);
	if (!birth)
		return 0;
	age = bpf_ktime_get_ns() - *birth;
	bpf_map_delete_elem(&births, &dentry);
	if (younger_than_ns && age >= younger_than_ns)
		return 0;
	d = bpf_ringbuf_reserve(&deaths, sizeof(*d), 0);
	if (!d)
		return 0;
	d->age_ns = age;
	d->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(d->comm, sizeof(d->comm));
	BPF_CORE_READ_STR_INTO(&d->name, dentry, d_name.name);
	bpf_ringbuf_submit(d, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
