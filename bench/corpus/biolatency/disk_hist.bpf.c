// SPDX-License-Identifier: GPL-2.0
/* biolatency, histogram half: per disk and operation log2 histograms. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <corpus/bits.bpf.h>
#include <corpus/maps.bpf.h>
#include "biolatency.h"

const volatile bool per_disk = false;
const volatile bool per_op = false;
const volatile bool in_milliseconds = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct disk_key);
	__type(value, struct hist);
} disk_hists SEC(".maps");

static struct hist empty_hist;

__hidden __noinline int record_latency(__u32 dev, __u8 op, __u64 delta_ns)
{
	struct disk_key key = {};
	struct hist *h;
	__u64 value;

	if (per_disk)
		key.dev = dev;
	if (per_op)
		key.op = op;
	h = corpus_lookup_or_init(&disk_hists, &key, &empty_hist);
	if (!h)
		return 0;
	value = in_milliseconds ? delta_ns / 1000000 : delta_ns / 1000;
	__sync_fetch_and_add(&h->slots[corpus_slot(value)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
