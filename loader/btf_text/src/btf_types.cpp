#include "btf_types.hpp"

#include <algorithm>

#include "bpfkit/btf_text.hpp"

namespace bpfkit::btf_text_detail {

std::string_view name_of(const btf* btf, std::uint32_t name_off) {
  // NULL when the offset lies past the string section (corrupt BTF).
  const char* s = btf__name_by_offset(btf, name_off);
  return s ? std::string_view(s) : std::string_view();
}

std::string_view name_of(const btf* btf, const btf_type* t) {
  return t ? name_of(btf, t->name_off) : std::string_view();
}

resolved resolve(const btf* btf, std::uint32_t type_id) {
  if (btf == nullptr) throw btf_text_error("no BTF given");
  resolved r;
  r.id = type_id;
  // A chain longer than this is a loop in malformed BTF.
  for (int hops = 0; hops < 64; ++hops) {
    if (r.id == 0) return r;
    const btf_type* t = btf__type_by_id(btf, r.id);
    if (t == nullptr) throw btf_text_error("type id " + std::to_string(r.id) + " is not in the BTF");
    switch (btf_kind(t)) {
      case BTF_KIND_TYPEDEF: {
        std::string_view n = name_of(btf, t);
        if (n == "__be16" || n == "__be32" || n == "__be64") r.network_order = true;
        r.id = t->type;
        continue;
      }
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_VAR:
        r.id = t->type;
        continue;
      default:
        r.t = t;
        return r;
    }
  }
  throw btf_text_error("type id " + std::to_string(type_id) + " is a loop of typedefs or modifiers");
}

std::size_t type_size(const btf* btf, std::uint32_t type_id) {
  long long size = btf__resolve_size(btf, type_id);
  if (size < 0) throw btf_text_error("the size of " + describe_type(btf, type_id) + " is unknown to BTF");
  return static_cast<std::size_t>(size);
}

resolved value_type(const btf* btf, std::uint32_t type_id) {
  resolved r = resolve(btf, type_id);
  if (r.t == nullptr) throw btf_text_error(describe_type(btf, type_id) + " has no value");
  switch (btf_kind(r.t)) {
    case BTF_KIND_INT:
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
    case BTF_KIND_FLOAT:
    case BTF_KIND_PTR:
    case BTF_KIND_ARRAY:
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      return r;
    case BTF_KIND_DATASEC: {
      // An object file's BTF may give a section size 0; libbpf sets the real
      // size when it opens the object.
      std::uint64_t needed = 0;
      const btf_var_secinfo* vars = btf_var_secinfos(r.t);
      for (unsigned i = 0; i < btf_vlen(r.t); ++i) {
        needed = std::max<std::uint64_t>(needed, std::uint64_t{vars[i].offset} + vars[i].size);
      }
      if (needed > r.t->size) {
        throw btf_text_error(describe_type(btf, type_id) + " is " + std::to_string(r.t->size) +
                             " bytes in this BTF but its variables need " + std::to_string(needed) +
                             "; use the BTF of the opened object (bpf_object__btf), where libbpf has laid out "
                             "the section");
      }
      return r;
    }
    case BTF_KIND_FWD:
      throw btf_text_error(describe_type(btf, type_id) +
                           " is only declared in this BTF, not defined, so its layout is unknown");
    default:
      throw btf_text_error(describe_type(btf, type_id) + " is not a type that holds a value");
  }
}

bool is_composite(const btf_type* t) {
  return t && (btf_is_struct(t) || btf_is_union(t) || btf_is_datasec(t));
}

namespace {

void flatten(const btf* btf, const btf_type* t, std::uint32_t type_id, std::uint64_t base,
             const std::vector<union_choice>& unions, unsigned& next_union,
             std::vector<member_ref>& out) {
  bool is_union = btf_is_union(t);
  unsigned union_number = is_union ? next_union++ : 0;
  if (btf_is_datasec(t)) {
    const btf_var_secinfo* vars = btf_var_secinfos(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i) {
      const btf_type* var = btf__type_by_id(btf, vars[i].type);
      if (var == nullptr || !btf_is_var(var)) continue;  // e.g. extern functions in .ksyms
      member_ref m;
      m.name = name_of(btf, var);
      m.type_id = var->type;
      m.bit_offset = base + std::uint64_t{vars[i].offset} * 8;
      out.push_back(std::move(m));
    }
    return;
  }
  const btf_member* members = btf_members(t);
  for (unsigned i = 0; i < btf_vlen(t); ++i) {
    std::vector<union_choice> path = unions;
    if (is_union) path.push_back({union_number, i, type_id});
    std::uint64_t offset = base + btf_member_bit_offset(t, i);
    const char* raw_name = btf__name_by_offset(btf, members[i].name_off);
    std::string_view name = raw_name ? raw_name : "";
    if (name.empty()) {
      resolved inner = resolve(btf, members[i].type);
      // Unnamed bitfields are padding: nothing to name, nothing to set.
      if (is_composite(inner.t)) flatten(btf, inner.t, inner.id, offset, path, next_union, out);
      continue;
    }
    member_ref m;
    m.name = name;
    m.type_id = members[i].type;
    m.bit_offset = offset;
    m.bitfield_bits = btf_member_bitfield_size(t, i);
    m.unions = std::move(path);
    out.push_back(std::move(m));
  }
}

}  // namespace

std::vector<member_ref> named_members(const btf* btf, const resolved& composite) {
  std::vector<member_ref> out;
  unsigned next_union = 0;
  flatten(btf, composite.t, composite.id, 0, {}, next_union, out);
  return out;
}

int_info int_of(const btf* btf, const btf_type* t) {
  int_info info;
  unsigned encoding = btf_int_encoding(t);
  info.bits = btf_int_bits(t);
  info.bit_shift = btf_int_offset(t);
  info.is_signed = (encoding & BTF_INT_SIGNED) != 0;
  info.is_bool = (encoding & BTF_INT_BOOL) != 0;
  // clang encodes `char` as a signed or unsigned 1-byte int named "char";
  // signed char / unsigned char / __u8 are numbers, not text.
  info.is_char = t->size == 1 && ((encoding & BTF_INT_CHAR) != 0 || name_of(btf, t) == "char");
  return info;
}

bool enum_is_signed(const btf_type* t) { return btf_kflag(t); }

std::vector<std::pair<std::string_view, std::uint64_t>> enumerators(const btf* btf, const btf_type* t) {
  std::vector<std::pair<std::string_view, std::uint64_t>> out;
  if (btf_is_enum(t)) {
    const struct btf_enum* e = btf_enum(t);
    // ENUM values are stored in 32 bits. Widen them the way the enum reads:
    // signed when BTF says so (kflag) or when no wider field can tell.
    bool sign_extend = btf_kflag(t) || t->size <= 4;
    for (unsigned i = 0; i < btf_vlen(t); ++i) {
      auto value = sign_extend ? static_cast<std::uint64_t>(static_cast<std::int64_t>(e[i].val))
                               : static_cast<std::uint64_t>(static_cast<std::uint32_t>(e[i].val));
      out.emplace_back(name_of(btf, e[i].name_off), value);
    }
  } else if (btf_is_enum64(t)) {
    const struct btf_enum64* e = btf_enum64(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i) {
      out.emplace_back(name_of(btf, e[i].name_off), btf_enum64_value(&e[i]));
    }
  }
  return out;
}

bool find_enumerator(const btf* btf, std::string_view name, std::int64_t& value, bool& is_unsigned64) {
  std::uint32_t count = btf__type_cnt(btf);
  for (std::uint32_t id = 1; id < count; ++id) {
    const btf_type* t = btf__type_by_id(btf, id);
    if (t == nullptr || !btf_is_any_enum(t)) continue;
    for (const auto& [n, v] : enumerators(btf, t)) {
      if (n != name) continue;
      value = static_cast<std::int64_t>(v);
      is_unsigned64 = btf_is_enum64(t) && !enum_is_signed(t);
      return true;
    }
  }
  return false;
}

std::string name_list(const std::vector<std::string_view>& names, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) {
    if (i != 0) out += ", ";
    out += names[i];
  }
  if (names.size() > limit) out += ", and " + std::to_string(names.size() - limit) + " more";
  return out;
}

}  // namespace bpfkit::btf_text_detail
