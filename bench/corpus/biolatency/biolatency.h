/* biolatency's shared declarations: the histogram key user space reads and
 * the function disk_hist.bpf.c provides to biolatency.bpf.c. */
#ifndef BIOLATENCY_H
#define BIOLATENCY_H

#include <corpus/hist.h>

struct disk_key {
	__u32 dev;
	__u8 op; /* 0 read, 1 write, 2 other */
};

int record_latency(__u32 dev, __u8 op, __u64 delta_ns);

#endif
