// Data sections become map names and BTF DATASEC names in the kernel.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int config_value SEC(".data.my config") = 1;
const int quoted_value SEC(".rodata.\"quoted\"") = 2;

SEC("xdp")
int use_data(struct xdp_md *ctx) { return config_value + quoted_value; }

char LICENSE[] SEC("license") = "GPL";
