// BTF for the codec tests, written with libbpf's btf__add_* API so the tests
// need no compiler, object file or kernel. Mirrors what clang emits for:
//
//   enum ip_proto : __u8 { IPPROTO_TCP = 6, IPPROTO_UDP = 17 };
//   enum sign { NEG = -1, ZERO = 0, POS = 1 };            (signed, 4 bytes)
//   enum big : __u64 { SMALL = 1, LARGE = 1ull << 40, ALL = ~0ull };  (ENUM64)
//   enum color { RED, GREEN, BLUE };
//   struct flow_key { __be32 saddr, daddr; __u16 sport, dport; enum ip_proto proto; };   16 bytes
//   struct flow_value { __u64 packets, bytes; __u8 flags[2]; };                           24 bytes
//   struct bits { unsigned a:3, b:5; int c:4; unsigned :4; unsigned d:16;
//                 enum color e:2; _Bool f:1; };                                           8 bytes
//   struct addr { __u16 family; union { __be32 v4; __u8 v6[16]; }; __u16 port; };          24 bytes
//   struct split { union { struct { __u32 lo, hi; }; __u64 whole; }; char tag; };           16 bytes
//   union num { __u32 u; __s16 s; float f; };                                               4 bytes
//   union padded { struct { __u8 a; __u32 b; } s; __u64 raw; };                             8 bytes
//   struct outer { struct flow_key key; __u32 counts[4]; char name[8]; int grid[2][3];
//                  char *ptr; double ratio; float scale; };
//   typedef struct flow_key flow_key_t; typedef flow_key_t flow_t; const volatile flow_t cv_flow;
//   SEC(".bss") __u64 counter; char label[8];
//   SEC(".data") with size 0, as in an object file before libbpf opens it
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>
#include <vector>

struct test_types {
  btf* b = nullptr;
  // Integers.
  std::uint32_t u8, s8, u16, s16, u32, s32, u64, s64, u128, s128, chr, uchr, boolean;
  std::uint32_t flt, dbl, long_double;
  // Typedefs as in linux/types.h, and a chain with modifiers.
  std::uint32_t t_u8, t_u16, t_u32, t_u64, t_s16, t_be16, t_be32, u32_alias, cv_u32_alias;
  // Enums.
  std::uint32_t ip_proto, sign, big, color;
  // Composites.
  std::uint32_t flow_key, flow_value, bits, addr, split, num, padded, outer, empty;
  std::uint32_t flow_key_t, flow_t, cv_flow;
  // Arrays and pointers.
  std::uint32_t u32x4, char8, grid, u8x16, char_ptr, const_char_ptr;
  // Other kinds.
  std::uint32_t bss, counter_var, unsized_sec, fwd, func_proto;
};

// Built once, never freed.
const test_types& types();

// A big-endian BTF with a u32, an array and a bitfield struct, for byte
// order tests.
struct big_endian_types {
  btf* b = nullptr;
  std::uint32_t u32, u16, bits, u16x2;
};
const big_endian_types& be_types();

std::vector<std::uint8_t> bytes(std::initializer_list<int> values);
std::string hex(const std::vector<std::uint8_t>& v);
