// A BTF declaration tag written by hand: clang drops it in C++, so the
// object's BTF would silently lack it.
#include "pitfall.h"

__u32 limit __attribute__((btf_decl_tag("user.limit"))) = 64;  // error: clang ignores btf_decl_tag in C\+\+: the object's BTF would lack it

SEC("xdp")
int count(struct xdp_md *ctx) { return limit > 0 ? XDP_PASS : XDP_DROP; }
