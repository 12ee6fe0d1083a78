// An annotated test in an object that also declares its ring buffer's event
// type for the skeleton (issue 9 item 10): bpf_add_test(ANNOTATED) read the
// declaration's tag "bpfkit:event=events" as a test annotation and failed
// with "unknown annotation". Now it registers exactly the annotated program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpfkit/skel.h>
#include <bpfkit/test.h>

struct sec_event {
  __u32 magic;
  __u32 length;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

BPFKIT_RINGBUF_EVENT(events, struct sec_event);

SEC("xdp")
BPFKIT_TEST_PACKET("eth/ipv4/udp")
BPFKIT_EXPECT_RETVAL(XDP_PASS)
int report_packet(struct xdp_md *ctx) {
  struct sec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return XDP_ABORTED;
  e->magic = 0x5ec0;
  e->length = (__u32)(ctx->data_end - ctx->data);
  bpf_ringbuf_submit(e, 0);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
