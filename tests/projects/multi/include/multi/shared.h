#pragma once
#ifndef MULTI_REQUIRED
#error "COMPILE_DEFINITIONS did not reach the compile"
#endif

/* The map both sources use: defined in shared.bpf.c, extern in prog.bpf.c.
 * The definitions must be identical for the static linker to merge them. */
#define MULTI_COUNTS_MAP                     \
  struct {                                   \
    __uint(type, BPF_MAP_TYPE_ARRAY);        \
    __uint(max_entries, 4);                  \
    __type(key, __u32);                      \
    __type(value, __u64);                    \
  } counts SEC(".maps")

int scale(int x);
