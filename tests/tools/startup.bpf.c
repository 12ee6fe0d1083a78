// A minimal object for tests/tools: one program, one map, one global.
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

struct {
  int (*type)[2];            // BPF_MAP_TYPE_ARRAY
  int (*max_entries)[4];
  unsigned int *key;
  unsigned long long *value;
} counts SEC(".maps");

volatile const int verdict = 2;  // XDP_PASS

SEC("xdp") int pass(void *ctx) { return verdict; }
