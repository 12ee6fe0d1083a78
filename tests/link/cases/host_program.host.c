// Compiled for the host, not for BPF: the link step must refuse it.
int host_function(int x) { return x * 2; }
