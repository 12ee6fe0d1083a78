/* The maps both halves of bootstrap share: exec.bpf.c defines them, exit.bpf.c
 * declares them extern; the link step joins them into one object. */
#ifndef BOOTSTRAP_MAPS_BPF_H
#define BOOTSTRAP_MAPS_BPF_H

#define BOOTSTRAP_MAPS(storage)                                   \
	storage struct {                                          \
		__uint(type, BPF_MAP_TYPE_HASH);                  \
		__uint(max_entries, 8192);                        \
		__type(key, pid_t);                               \
		__type(value, u64);                               \
	} exec_start SEC(".maps");                                \
	storage struct {                                          \
		__uint(type, BPF_MAP_TYPE_RINGBUF);               \
		__uint(max_entries, 256 * 1024);                  \
	} rb SEC(".maps")

#endif
