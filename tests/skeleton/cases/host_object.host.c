// Compiled for the host by the test: an ELF object that is not BPF.
int host_function(int x) { return x + 1; }
