// SPDX-License-Identifier: GPL-2.0
/* xdp_firewall, packet half: parse, ask the rules, pass or drop. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <corpus/net.h>
#include "firewall.h"

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct corpus_flow flow = {};

	if (corpus_parse_flow(data, data_end, &flow))
		return XDP_DROP; /* nothing legitimate is truncated at L2-L4 */
	if (flow.family != 4)
		return XDP_PASS;
	return fw_verdict(flow.saddr, flow.dport, flow.proto) ? XDP_DROP : XDP_PASS;
}
