// What the encoder and the formatter both need to know about BTF types:
// modifiers skipped, composite members flattened the way C names them, and
// the few facts that pick a syntax (char, bool, signedness, network order).
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfkit::btf_text_detail {

// A type with typedefs, const/volatile/restrict, type tags and VAR skipped.
struct resolved {
  std::uint32_t id = 0;
  const btf_type* t = nullptr;  // nullptr for void
  bool network_order = false;   // went through a __be16/__be32/__be64 typedef
};

// Throws btf_text_error for an id not in the BTF or a modifier loop.
resolved resolve(const btf* btf, std::uint32_t type_id);

// The type resolved, or btf_text_error when it cannot hold a value (void,
// functions, declared-but-undefined structs).
resolved value_type(const btf* btf, std::uint32_t type_id);

// Byte size of the type, throwing btf_text_error if BTF cannot say.
std::size_t type_size(const btf* btf, std::uint32_t type_id);

// A type's or member's name; empty when it has none or its offset lies past
// the string section (corrupt BTF: libbpf returns NULL).
std::string_view name_of(const btf* btf, const btf_type* t);
std::string_view name_of(const btf* btf, std::uint32_t name_off);

// A member as C code names it. Members of anonymous structs/unions appear
// in place of the anonymous member, with offsets relative to the outer type.
struct union_choice {
  unsigned union_number = 0;  // distinct per union within one composite
  unsigned member = 0;
  std::uint32_t union_type_id = 0;
};

struct member_ref {
  std::string_view name;
  std::uint32_t type_id = 0;
  std::uint64_t bit_offset = 0;
  std::uint32_t bitfield_bits = 0;  // 0 when not a bitfield
  // The unions the member sits in (the type itself, if a union, and any
  // anonymous unions on the way) and which of their members leads to it.
  // Two members with different choices in one union overlap.
  std::vector<union_choice> unions;
};

// Named members of a struct, union or DATASEC (whose "members" are its
// variables), anonymous members flattened.
std::vector<member_ref> named_members(const btf* btf, const resolved& composite);

struct int_info {
  unsigned bits = 0;       // value bits (bitfield width when a bitfield)
  unsigned bit_shift = 0;  // BTF_INT_OFFSET: where the value bits start
  bool is_signed = false;
  bool is_bool = false;
  bool is_char = false;    // plain `char` (or BTF_INT_CHAR): a text byte
};
int_info int_of(const btf* btf, const btf_type* t);

bool enum_is_signed(const btf_type* t);
// Enumerators of an ENUM or ENUM64 as (name, value bit pattern).
std::vector<std::pair<std::string_view, std::uint64_t>> enumerators(const btf* btf, const btf_type* t);

// The value of an enumerator of any enum in the BTF, for integer-typed
// values written by name. Returns false when no enum has it.
bool find_enumerator(const btf* btf, std::string_view name, std::int64_t& value, bool& is_unsigned64);

bool is_composite(const btf_type* t);  // struct, union or datasec

// "saddr, daddr, sport" with at most `limit` names, then "and N more".
std::string name_list(const std::vector<std::string_view>& names, std::size_t limit = 32);

}  // namespace bpfkit::btf_text_detail
