/* A project's own vmlinux.h (another kernel's, cut down): its task_struct
 * has a layout no host kernel has, and it declares what the host's
 * vmlinux.h does not. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct task_struct {
  int own_header_marker;
  int pid;
  int tgid;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

enum bpfkit_own_header {
  OWN_HEADER_RETURN = 7,
};

enum bpf_map_type {
  BPF_MAP_TYPE_ARRAY = 2,
};

#endif /* __VMLINUX_H__ */
