/* A log2 latency histogram, as user space reads it. */
#ifndef CORPUS_HIST_H
#define CORPUS_HIST_H

#define CORPUS_HIST_SLOTS 27

struct hist {
	__u32 slots[CORPUS_HIST_SLOTS];
	char comm[16];
};

#endif
