// The map-value text syntax (bpfkit::btf_text): parse_value on any text for
// a set of BTF types shaped like real map keys and values, format_value on
// any bytes, and the documented round trip: for bytes parse_value produced
// (padding zero), parse(format(x)) == x.
#include <bpf/btf.h>

#include <bpfkit/btf_text.hpp>

#include <cstdlib>
#include <vector>

#include "fuzz_support.hpp"

namespace {

btf *types = nullptr;
std::vector<int> value_types;  // the ids the fuzzer picks from

// Builds the BTF once: integers of every size and encoding, __be32, char
// arrays, enums, bitfields, nested and anonymous members, a union, a
// pointer, a float.
void build_types() {
  types = btf__new_empty();
  const int s32 = btf__add_int(types, "int", 4, BTF_INT_SIGNED);
  const int u8 = btf__add_int(types, "unsigned char", 1, 0);
  const int chr = btf__add_int(types, "char", 1, BTF_INT_CHAR | BTF_INT_SIGNED);
  const int u16 = btf__add_int(types, "unsigned short", 2, 0);
  const int u32 = btf__add_int(types, "unsigned int", 4, 0);
  const int u64 = btf__add_int(types, "unsigned long long", 8, 0);
  const int boolean = btf__add_int(types, "_Bool", 1, BTF_INT_BOOL);
  const int s128 = btf__add_int(types, "__int128", 16, BTF_INT_SIGNED);
  const int be32 = btf__add_typedef(types, "__be32", u32);
  const int be16 = btf__add_typedef(types, "__be16", u16);
  const int dbl = btf__add_float(types, "double", 8);
  const int proto = btf__add_enum(types, "proto", 4);
  btf__add_enum_value(types, "IPPROTO_TCP", 6);
  btf__add_enum_value(types, "IPPROTO_UDP", 17);
  const int big = btf__add_enum64(types, "big", 8, false);
  btf__add_enum64_value(types, "BIG_MAX", 0xffffffffffffffffull);
  btf__add_enum64_value(types, "BIG_ONE", 1);
  const int index = btf__add_int(types, "__ARRAY_SIZE_TYPE__", 4, 0);
  const int name = btf__add_array(types, index, chr, 16);
  const int vals = btf__add_array(types, index, s32, 4);
  const int bytes3 = btf__add_array(types, index, u8, 3);

  const int inner = btf__add_struct(types, "inner", 8);
  btf__add_field(types, "a", u16, 0, 0);
  btf__add_field(types, "b", u32, 32, 0);
  const int anon = btf__add_union(types, nullptr, 8);
  btf__add_field(types, "as_u64", u64, 0, 0);
  btf__add_field(types, "as_pair", inner, 0, 0);

  const int flow = btf__add_struct(types, "flow", 72);
  btf__add_field(types, "saddr", be32, 0, 0);
  btf__add_field(types, "port", be16, 32, 0);
  btf__add_field(types, "proto", u8, 48, 0);
  btf__add_field(types, "on", boolean, 56, 0);
  btf__add_field(types, "vals", vals, 64, 0);
  btf__add_field(types, "name", name, 192, 0);
  btf__add_field(types, "low", u32, 320, 3);   // bitfields
  btf__add_field(types, "high", u32, 323, 5);
  btf__add_field(types, "kind", proto, 352, 0);
  btf__add_field(types, nullptr, anon, 384, 0);  // anonymous union: members by name
  btf__add_field(types, "pad", bytes3, 448, 0);
  btf__add_field(types, "tail", big, 512, 0);
  const int pointer = btf__add_ptr(types, flow);
  const int either = btf__add_union(types, "either", 8);
  btf__add_field(types, "f", dbl, 0, 0);
  btf__add_field(types, "i", s32, 0, 0);
  const int cflow = btf__add_const(types, flow);
  value_types = {s32, u8, chr, u16, u32, u64, boolean, s128, be32, be16, dbl, proto, big,
                 name, vals, inner, flow, pointer, either, cflow};
  for (int id : value_types)
    if (id <= 0) std::abort();  // the BTF above must build
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  build_types();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size < 2) return 0;
  const auto id = static_cast<std::uint32_t>(value_types[data[0] % value_types.size()]);
  const bool format_mode = data[1] & 1;
  const std::string input = bpfkit::fuzz::as_string(data + 2, size - 2);
  const auto type_size = static_cast<std::size_t>(btf__resolve_size(types, id));
  (void)bpfkit::describe_type(types, id);
  try {
    (void)bpfkit::value_extent(input);
  } catch (const bpfkit::btf_text_error &) {
  }
  try {
    (void)bpfkit::parse_bytes(1 + data[1] % 16, input);
  } catch (const bpfkit::btf_text_error &) {
  }
  if (format_mode) {
    std::vector<std::uint8_t> bytes(input.begin(), input.end());
    bytes.resize(type_size);
    (void)bpfkit::format_value(types, id, bytes, bpfkit::format_style::text);
    (void)bpfkit::format_value(types, id, bytes, bpfkit::format_style::json);
    (void)bpfkit::format_bytes(bytes);
    return 0;
  }
  std::vector<std::uint8_t> parsed;
  try {
    parsed = bpfkit::parse_value(types, id, input);
  } catch (const bpfkit::btf_text_error &) {
    return 0;
  }
  if (parsed.size() != type_size) std::abort();
  const std::string text = bpfkit::format_value(types, id, parsed);
  // The documented round trip; a failure to parse its own output is a bug.
  if (bpfkit::parse_value(types, id, text) != parsed) std::abort();
  return 0;
}
