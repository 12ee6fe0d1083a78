/* Events of opensnoop, shared with user space. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define OPENSNOOP_NAME_LEN 255
#define OPENSNOOP_COMM_LEN 16

struct open_args {
	const char *path;
	int flags;
	unsigned short mode;
};

struct open_event {
	__u64 ts_ns;
	__u32 pid;
	__u32 uid;
	int ret;
	int flags;
	unsigned short mode;
	char comm[OPENSNOOP_COMM_LEN];
	char path[OPENSNOOP_NAME_LEN];
};

#endif
