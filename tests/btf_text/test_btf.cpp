#include "test_btf.hpp"

#include <bpf/libbpf.h>
#include <linux/btf.h>

#include <stdexcept>

namespace {

// btf__add_* return a negative errno on failure; a broken fixture should
// stop the tests loudly rather than produce confusing failures.
std::uint32_t ok(int id) {
  if (id < 0) throw std::runtime_error("building test BTF failed: " + std::to_string(id));
  return static_cast<std::uint32_t>(id);
}

void field(btf* b, const char* name, std::uint32_t type, std::uint32_t bit_offset, std::uint32_t bits = 0) {
  ok(btf__add_field(b, name, static_cast<int>(type), bit_offset, bits));
}

test_types build() {
  test_types t;
  btf* b = t.b = btf__new_empty();
  if (libbpf_get_error(b)) throw std::runtime_error("btf__new_empty failed");
  t.u8 = ok(btf__add_int(b, "unsigned char", 1, 0));
  t.s8 = ok(btf__add_int(b, "signed char", 1, BTF_INT_SIGNED));
  t.u16 = ok(btf__add_int(b, "unsigned short", 2, 0));
  t.s16 = ok(btf__add_int(b, "short", 2, BTF_INT_SIGNED));
  t.u32 = ok(btf__add_int(b, "unsigned int", 4, 0));
  t.s32 = ok(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
  t.u64 = ok(btf__add_int(b, "unsigned long long", 8, 0));
  t.s64 = ok(btf__add_int(b, "long long", 8, BTF_INT_SIGNED));
  t.u128 = ok(btf__add_int(b, "unsigned __int128", 16, 0));
  t.s128 = ok(btf__add_int(b, "__int128", 16, BTF_INT_SIGNED));
  t.chr = ok(btf__add_int(b, "char", 1, BTF_INT_SIGNED));
  t.uchr = t.u8;
  t.boolean = ok(btf__add_int(b, "_Bool", 1, BTF_INT_BOOL));
  t.flt = ok(btf__add_float(b, "float", 4));
  t.dbl = ok(btf__add_float(b, "double", 8));
  t.long_double = ok(btf__add_float(b, "long double", 16));

  t.t_u8 = ok(btf__add_typedef(b, "__u8", static_cast<int>(t.u8)));
  t.t_u16 = ok(btf__add_typedef(b, "__u16", static_cast<int>(t.u16)));
  t.t_u32 = ok(btf__add_typedef(b, "__u32", static_cast<int>(t.u32)));
  t.t_u64 = ok(btf__add_typedef(b, "__u64", static_cast<int>(t.u64)));
  t.t_s16 = ok(btf__add_typedef(b, "__s16", static_cast<int>(t.s16)));
  t.t_be16 = ok(btf__add_typedef(b, "__be16", static_cast<int>(t.t_u16)));
  t.t_be32 = ok(btf__add_typedef(b, "__be32", static_cast<int>(t.t_u32)));
  t.u32_alias = ok(btf__add_typedef(b, "u32_alias", static_cast<int>(t.t_u32)));
  std::uint32_t v = ok(btf__add_volatile(b, static_cast<int>(t.u32_alias)));
  t.cv_u32_alias = ok(btf__add_const(b, static_cast<int>(v)));

  t.ip_proto = ok(btf__add_enum(b, "ip_proto", 1));
  ok(btf__add_enum_value(b, "IPPROTO_TCP", 6));
  ok(btf__add_enum_value(b, "IPPROTO_UDP", 17));
  t.sign = ok(btf__add_enum(b, "sign", 4));
  ok(btf__add_enum_value(b, "NEG", -1));
  ok(btf__add_enum_value(b, "ZERO", 0));
  ok(btf__add_enum_value(b, "POS", 1));
  t.big = ok(btf__add_enum64(b, "big", 8, false));
  ok(btf__add_enum64_value(b, "SMALL", 1));
  ok(btf__add_enum64_value(b, "LARGE", 1ull << 40));
  ok(btf__add_enum64_value(b, "ALL", ~0ull));
  t.color = ok(btf__add_enum(b, "color", 4));
  ok(btf__add_enum_value(b, "RED", 0));
  ok(btf__add_enum_value(b, "GREEN", 1));
  ok(btf__add_enum_value(b, "BLUE", 2));

  t.u32x4 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.u32), 4));
  t.char8 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.chr), 8));
  std::uint32_t int3 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.s32), 3));
  t.grid = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(int3), 2));
  t.u8x16 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.t_u8), 16));
  std::uint32_t u8x2 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.t_u8), 2));
  t.char_ptr = ok(btf__add_ptr(b, static_cast<int>(t.chr)));
  std::uint32_t const_char = ok(btf__add_const(b, static_cast<int>(t.chr)));
  t.const_char_ptr = ok(btf__add_ptr(b, static_cast<int>(const_char)));

  t.flow_key = ok(btf__add_struct(b, "flow_key", 16));
  field(b, "saddr", t.t_be32, 0);
  field(b, "daddr", t.t_be32, 32);
  field(b, "sport", t.t_u16, 64);
  field(b, "dport", t.t_u16, 80);
  field(b, "proto", t.ip_proto, 96);

  t.flow_value = ok(btf__add_struct(b, "flow_value", 24));
  field(b, "packets", t.t_u64, 0);
  field(b, "bytes", t.t_u64, 64);
  field(b, "flags", u8x2, 128);

  t.bits = ok(btf__add_struct(b, "bits", 8));
  field(b, "a", t.u32, 0, 3);
  field(b, "b", t.u32, 3, 5);
  field(b, "c", t.s32, 8, 4);
  field(b, nullptr, t.u32, 12, 4);
  field(b, "d", t.u32, 16, 16);
  field(b, "e", t.color, 32, 2);
  field(b, "f", t.boolean, 34, 1);

  std::uint32_t addr_union = ok(btf__add_union(b, nullptr, 16));
  field(b, "v4", t.t_be32, 0);
  field(b, "v6", t.u8x16, 0);
  t.addr = ok(btf__add_struct(b, "addr", 24));
  field(b, "family", t.t_u16, 0);
  field(b, nullptr, addr_union, 32);
  field(b, "port", t.t_u16, 160);

  std::uint32_t lohi = ok(btf__add_struct(b, nullptr, 8));
  field(b, "lo", t.t_u32, 0);
  field(b, "hi", t.t_u32, 32);
  std::uint32_t split_union = ok(btf__add_union(b, nullptr, 8));
  field(b, nullptr, lohi, 0);
  field(b, "whole", t.t_u64, 0);
  t.split = ok(btf__add_struct(b, "split", 16));
  field(b, nullptr, split_union, 0);
  field(b, "tag", t.chr, 64);

  t.num = ok(btf__add_union(b, "num", 4));
  field(b, "u", t.t_u32, 0);
  field(b, "s", t.t_s16, 0);
  field(b, "f", t.flt, 0);

  std::uint32_t ab = ok(btf__add_struct(b, nullptr, 8));
  field(b, "a", t.t_u8, 0);
  field(b, "b", t.t_u32, 32);
  t.padded = ok(btf__add_union(b, "padded", 8));
  field(b, "s", ab, 0);
  field(b, "raw", t.t_u64, 0);

  t.outer = ok(btf__add_struct(b, "outer", 88));
  field(b, "key", t.flow_key, 0);
  field(b, "counts", t.u32x4, 128);
  field(b, "name", t.char8, 256);
  field(b, "grid", t.grid, 320);
  field(b, "ptr", t.char_ptr, 512);
  field(b, "ratio", t.dbl, 576);
  field(b, "scale", t.flt, 640);

  t.empty = ok(btf__add_struct(b, "empty", 0));

  t.flow_key_t = ok(btf__add_typedef(b, "flow_key_t", static_cast<int>(t.flow_key)));
  t.flow_t = ok(btf__add_typedef(b, "flow_t", static_cast<int>(t.flow_key_t)));
  std::uint32_t vflow = ok(btf__add_volatile(b, static_cast<int>(t.flow_t)));
  t.cv_flow = ok(btf__add_const(b, static_cast<int>(vflow)));

  t.counter_var = ok(btf__add_var(b, "counter", BTF_VAR_GLOBAL_ALLOCATED, static_cast<int>(t.t_u64)));
  std::uint32_t label_var = ok(btf__add_var(b, "label", BTF_VAR_GLOBAL_ALLOCATED, static_cast<int>(t.char8)));
  t.bss = ok(btf__add_datasec(b, ".bss", 16));
  ok(btf__add_datasec_var_info(b, static_cast<int>(t.counter_var), 0, 8));
  ok(btf__add_datasec_var_info(b, static_cast<int>(label_var), 8, 8));

  t.unsized_sec = ok(btf__add_datasec(b, ".data", 0));
  ok(btf__add_datasec_var_info(b, static_cast<int>(t.counter_var), 0, 8));

  t.fwd = ok(btf__add_fwd(b, "opaque", BTF_FWD_STRUCT));
  t.func_proto = ok(btf__add_func_proto(b, static_cast<int>(t.s32)));
  return t;
}

big_endian_types build_be() {
  big_endian_types t;
  btf* b = t.b = btf__new_empty();
  if (libbpf_get_error(b)) throw std::runtime_error("btf__new_empty failed");
  ok(btf__set_endianness(b, BTF_BIG_ENDIAN));
  t.u32 = ok(btf__add_int(b, "unsigned int", 4, 0));
  t.u16 = ok(btf__add_int(b, "unsigned short", 2, 0));
  std::uint32_t s32 = ok(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
  t.u16x2 = ok(btf__add_array(b, static_cast<int>(t.u32), static_cast<int>(t.u16), 2));
  t.bits = ok(btf__add_struct(b, "bits", 4));
  field(b, "a", t.u32, 0, 3);
  field(b, "b", t.u32, 3, 5);
  field(b, "c", s32, 8, 4);
  field(b, "d", t.u32, 16, 16);
  return t;
}

}  // namespace

const test_types& types() {
  static const test_types t = build();
  return t;
}

const big_endian_types& be_types() {
  static const big_endian_types t = build_be();
  return t;
}

std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

std::string hex(const std::vector<std::uint8_t>& v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out += ' ';
    out += digits[v[i] >> 4];
    out += digits[v[i] & 0xf];
  }
  return out;
}
