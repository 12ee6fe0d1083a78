// Types shared by the runtime tests' BPF programs and their C++ side.
#ifndef BPFKIT_RUNTIME_TYPES_H
#define BPFKIT_RUNTIME_TYPES_H

#ifdef __cplusplus
#include <linux/types.h>  // the BPF side has them from vmlinux.h
#endif

#define EVENT_MAGIC 0xb9f4e7e11ull

struct triple {
  __u32 a, b, c;
};

struct ipv4_prefix {
  __u32 prefixlen;
  __u8 addr[4];
};

struct event {
  __u64 magic;
  __u32 length;
  __u8 first_byte;
  __u8 pad[3];
};

// What the attach tests count, per process: counts[{tgid, kind}].
enum hook_kind {
  HOOK_TRACEPOINT,
  HOOK_RAW_TRACEPOINT,
  HOOK_KPROBE,
  HOOK_KRETPROBE,
  HOOK_UPROBE,
  HOOK_URETPROBE,
  HOOK_FENTRY,
  HOOK_FEXIT,
  HOOK_TP_BTF,
};

struct hook_key {
  __u32 tgid;
  __u32 kind;
};

#endif
