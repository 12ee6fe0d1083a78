/* Events of exitsnoop, shared with user space. */
#ifndef EXITSNOOP_H
#define EXITSNOOP_H

struct exit_event {
	__u64 start_time_ns;
	__u64 exit_time_ns;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 sig;
	int exit_code;
	char comm[16];
};

#endif
