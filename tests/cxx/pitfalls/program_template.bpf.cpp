// A program that is a function template.
#include "pitfall.h"

template <int Verdict>
SEC("xdp") int verdict(struct xdp_md *ctx) { return Verdict; }  // error: program 'verdict' is a function template

template int verdict<XDP_PASS>(struct xdp_md *);
