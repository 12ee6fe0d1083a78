// SPDX-License-Identifier: GPL-2.0
/* hardirqs: time spent in hard interrupt handlers, per handler name, as a
 * total or a log2 histogram. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <corpus/bits.bpf.h>
#include <corpus/maps.bpf.h>

#define IRQ_NAME_LEN 32

struct irq_key {
	char name[IRQ_NAME_LEN];
};

struct irq_totals {
	__u64 count;
	__u64 total_ns;
	__u32 slots[CORPUS_MAX_SLOTS];
};

const volatile bool count_only = false;
const volatile bool as_histogram = false;
const volatile int only_cpu = -1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} entered SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct irq_key);
	__type(value, struct irq_totals);
} irqs SEC(".maps");

static struct irq_totals no_totals;

static __always_inline bool on_wanted_cpu(void)
{
	return only_cpu < 0 || bpf_get_smp_processor_id() == (__u32)only_cpu;
}

SEC("tp/irq/irq_handler_entry")
int on_irq_entry(struct trace_event_raw_irq_handler_entry *ctx)
{
	struct irq_key key = {};
	struct irq_totals *info;
	__u32 zero = 0;
	__u64 *ts;

	if (!on_wanted_cpu())
		return 0;
	if (count_only) {
		bpf_probe_read_kernel_str(key.name, sizeof(key.name),
					  (void *)ctx + (ctx->__data_loc_name & 0xFFFF));
		info = corpus_lookup_or_init(&irqs, &key, &no_totals);
		if (info)
			__sync_fetch_and_add(&info->count, 1);
		return 0;
	}
	ts = bpf_map_lookup_elem(&entered, &zero);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp/irq/irq_handler_exit")
int on_irq_exit(struct trace_event_raw_irq_handler_exit *ctx)
{
	struct irq_key key = {};
	struct irq_totals *info;
	__u32 zero = 0;
	__u32 irq = ctx->irq;
	__u64 *ts, delta;

	if (count_only || !on_wanted_cpu())
		return 0;
	ts = bpf_map_lookup_elem(&entered, &zero);
	if (!ts || !*ts)
		return 0;
	delta = bpf_ktime_get_ns() - *ts;
	*ts = 0;
	/* The exit tracepoint carries only the number: name the key by it. */
	key.name[0] = 'i';
	key.name[1] = 'r';
	key.name[2] = 'q';
	key.name[3] = '0' + (irq / 100) % 10;
	key.name[4] = '0' + (irq / 10) % 10;
	key.name[5] = '0' + irq % 10;
	info = corpus_lookup_or_init(&irqs, &key, &no_totals);
	if (!info)
		return 0;
	__sync_fetch_and_add(&info->count, 1);
	__sync_fetch_and_add(&info->total_ns, delta);
	if (as_histogram)
		__sync_fetch_and_add(&info->slots[corpus_slot(delta / 1000)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
