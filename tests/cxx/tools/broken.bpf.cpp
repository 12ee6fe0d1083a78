// Does not compile: bpfkit-check leaves the error to the compiler.
#include "vmlinux.h"
int broken( { return 0; }
