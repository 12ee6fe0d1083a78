/* Histogram helpers shared by the latency tools of the corpus. */
#ifndef CORPUS_BITS_BPF_H
#define CORPUS_BITS_BPF_H

#define CORPUS_MAX_SLOTS 27

/* floor(log2(v)) for v > 0, branch-light so the verifier sees few states. */
static __always_inline __u64 corpus_log2(__u32 v)
{
	__u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u64 corpus_log2l(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? corpus_log2(hi) + 32 : corpus_log2(v);
}

/* The histogram slot of a latency: log2 buckets, the last one open-ended. */
static __always_inline __u32 corpus_slot(__u64 value)
{
	__u64 slot = corpus_log2l(value);

	return slot >= CORPUS_MAX_SLOTS ? CORPUS_MAX_SLOTS - 1 : (__u32)slot;
}

#endif
