// CO-RE relocation resolution, following libbpf's relo_core.c (see
// core.hpp): the same candidate search, spec matching, value calculation
// and instruction patching, plus the reason for every "no".
#include <bpf/btf.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/inspect/core.hpp"
#include "btf_util.hpp"

namespace bpfkit::inspect {

using detail::essential_name;
using detail::name_of;
using detail::skip_mods_and_typedefs;
using detail::spelled;

namespace {

constexpr std::size_t max_spec_length = 64;  // BPF_CORE_SPEC_MAX_LEN
constexpr std::int32_t poison_helper = 0xbad2310;

bool is_field_kind(bpf_core_relo_kind kind) {
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
    case BPF_CORE_FIELD_BYTE_SIZE:
    case BPF_CORE_FIELD_EXISTS:
    case BPF_CORE_FIELD_SIGNED:
    case BPF_CORE_FIELD_LSHIFT_U64:
    case BPF_CORE_FIELD_RSHIFT_U64:
      return true;
    default:
      return false;
  }
}

bool is_type_kind(bpf_core_relo_kind kind) {
  switch (kind) {
    case BPF_CORE_TYPE_ID_LOCAL:
    case BPF_CORE_TYPE_ID_TARGET:
    case BPF_CORE_TYPE_EXISTS:
    case BPF_CORE_TYPE_MATCHES:
    case BPF_CORE_TYPE_SIZE:
      return true;
    default:
      return false;
  }
}

bool is_enumval_kind(bpf_core_relo_kind kind) {
  return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

bool kinds_compatible(const btf_type *a, const btf_type *b) {
  return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

// One step of a spec: a named field (name set) or an array index.
struct accessor {
  std::uint32_t type_id = 0;  // the struct/union holding the field, or the array's element type
  std::uint32_t index = 0;
  const char *name = nullptr;
};

struct spec {
  const btf *types = nullptr;
  std::uint32_t root_id = 0;
  bpf_core_relo_kind kind = BPF_CORE_FIELD_BYTE_OFFSET;
  std::vector<accessor> high;  // named fields and array indices
  std::vector<std::uint32_t> raw;  // every level of the access string
  std::uint32_t bit_offset = 0;
};

bool flexible_array(const btf *b, const accessor *previous, const struct btf_array *array) {
  if (!previous || !previous->name || array->nelems > 0) return false;
  const btf_type *holder = btf__type_by_id(b, previous->type_id);
  return holder && previous->index == btf_vlen(holder) - 1u;
}

std::string enumerator_name(const btf *b, const btf_type *t, std::uint32_t i) {
  return name_of(b, btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off);
}

// bpf_core_parse_spec(): 0, or a negative errno with `why`.
int parse_spec(const btf *b, const core_record &record, spec &s, std::string &why) {
  s = spec{};
  s.types = b;
  s.root_id = record.type_id;
  s.kind = record.kind;
  const std::string &text = record.access;
  if (text.empty() || text[0] == ':') {
    why = "the access string '" + text + "' is malformed";
    return -EINVAL;
  }
  if (is_type_kind(record.kind)) {
    if (text != "0") {
      why = "a type relocation with the access string '" + text + "' (libbpf expects \"0\")";
      return -EINVAL;
    }
    return 0;
  }
  for (std::size_t pos = 0; pos < text.size();) {
    if (text[pos] == ':') ++pos;
    std::size_t end = pos;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == pos || end - pos > 9) {
      why = "the access string '" + text + "' is malformed";
      return -EINVAL;
    }
    if (s.raw.size() == max_spec_length) {
      why = "the access string '" + text + "' is deeper than libbpf's 64 levels";
      return -E2BIG;
    }
    s.raw.push_back(static_cast<std::uint32_t>(std::stoul(text.substr(pos, end - pos))));
    pos = end;
  }
  if (s.raw.empty()) {
    why = "the access string is empty";
    return -EINVAL;
  }
  std::uint32_t id = 0;
  const btf_type *t = skip_mods_and_typedefs(b, record.type_id, &id);
  if (!t) {
    why = "type [" + std::to_string(record.type_id) + "] does not exist in the object's BTF";
    return -EINVAL;
  }
  s.high.push_back({id, s.raw[0], nullptr});

  if (is_enumval_kind(record.kind)) {
    if (!btf_is_any_enum(t) || s.raw.size() > 1 || s.raw[0] >= btf_vlen(t)) {
      why = "an enum value relocation whose access string '" + text + "' does not name a value of " +
            spelled(b, id);
      return -EINVAL;
    }
    s.high[0].name = btf_is_enum(t) ? btf__name_by_offset(b, btf_enum(t)[s.raw[0]].name_off)
                                    : btf__name_by_offset(b, btf_enum64(t)[s.raw[0]].name_off);
    return 0;
  }
  if (!is_field_kind(record.kind)) {
    why = "an unknown relocation kind " + std::to_string(record.kind);
    return -EINVAL;
  }
  long long size = btf__resolve_size(b, id);
  if (size < 0) {
    why = "the size of " + spelled(b, id) + " cannot be resolved";
    return static_cast<int>(size);
  }
  s.bit_offset = static_cast<std::uint32_t>(s.raw[0] * size * 8);
  for (std::size_t i = 1; i < s.raw.size(); ++i) {
    t = skip_mods_and_typedefs(b, id, &id);
    if (!t) {
      why = "a broken type chain in the object's BTF";
      return -EINVAL;
    }
    const std::uint32_t index = s.raw[i];
    if (btf_is_composite(t)) {
      if (index >= btf_vlen(t)) {
        why = "member " + std::to_string(index) + " of " + spelled(b, id) + " does not exist";
        return -EINVAL;
      }
      s.bit_offset += btf_member_bit_offset(t, index);
      const btf_member *m = btf_members(t) + index;
      if (m->name_off) {
        const char *name = btf__name_by_offset(b, m->name_off);
        if (!name || !*name) {
          why = "a member of " + spelled(b, id) + " has a broken name";
          return -EINVAL;
        }
        s.high.push_back({id, index, name});
      }
      id = m->type;
    } else if (btf_is_array(t)) {
      const struct btf_array *a = btf_array(t);
      t = skip_mods_and_typedefs(b, a->type, &id);
      if (!t) {
        why = "a broken array type in the object's BTF";
        return -EINVAL;
      }
      const bool flex = flexible_array(b, &s.high.back(), a);
      if (!flex && index >= a->nelems) {
        why = "index " + std::to_string(index) + " is past the end of an array of " + std::to_string(a->nelems);
        return -EINVAL;
      }
      s.high.push_back({id, index, nullptr});
      size = btf__resolve_size(b, id);
      if (size < 0) {
        why = "the size of " + spelled(b, id) + " cannot be resolved";
        return static_cast<int>(size);
      }
      s.bit_offset += static_cast<std::uint32_t>(index * size * 8);
    } else {
      why = "the access string '" + text + "' goes into " + spelled(b, id) + ", which has no members";
      return -EINVAL;
    }
  }
  return 0;
}

// The C text of the first `count` high-level accessors: "task_struct.se".
std::string spec_path(const btf *b, const spec &s, std::size_t count) {
  std::string text = name_of(b, btf__type_by_id(b, s.root_id));
  for (std::size_t i = 0; i < count && i < s.high.size(); ++i) {
    if (s.high[i].name)
      text += std::string(".") + s.high[i].name;
    else if (i > 0 || s.high[i].index > 0)
      text += "[" + std::to_string(s.high[i].index) + "]";
  }
  return text;
}

// __bpf_core_types_are_compat().
int types_are_compatible(const btf *lb, std::uint32_t lid, const btf *tb, std::uint32_t tid, int level) {
  const btf_type *lt = btf__type_by_id(lb, lid);
  const btf_type *tt = btf__type_by_id(tb, tid);
  if (!lt || !tt) return -EINVAL;
  if (!kinds_compatible(lt, tt)) return 0;
  for (int depth = 32;;) {
    if (--depth < 0) return -EINVAL;
    lt = skip_mods_and_typedefs(lb, lid, &lid);
    tt = skip_mods_and_typedefs(tb, tid, &tid);
    if (!lt || !tt) return -EINVAL;
    if (!kinds_compatible(lt, tt)) return 0;
    switch (btf_kind(lt)) {
      case BTF_KIND_UNKN:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM64:
        return 1;
      case BTF_KIND_INT:
        return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
      case BTF_KIND_PTR:
        lid = lt->type;
        tid = tt->type;
        continue;
      case BTF_KIND_ARRAY:
        lid = btf_array(lt)->type;
        tid = btf_array(tt)->type;
        continue;
      case BTF_KIND_FUNC_PROTO: {
        if (btf_vlen(lt) != btf_vlen(tt)) return 0;
        const struct btf_param *lp = btf_params(lt);
        const struct btf_param *tp = btf_params(tt);
        for (std::uint32_t i = 0; i < btf_vlen(lt); ++i) {
          if (level <= 0) return -EINVAL;
          std::uint32_t a = 0, c = 0;
          skip_mods_and_typedefs(lb, lp[i].type, &a);
          skip_mods_and_typedefs(tb, tp[i].type, &c);
          int r = types_are_compatible(lb, a, tb, c, level - 1);
          if (r <= 0) return r;
        }
        skip_mods_and_typedefs(lb, lt->type, &lid);
        skip_mods_and_typedefs(tb, tt->type, &tid);
        continue;
      }
      default:
        return 0;
    }
  }
}

bool names_match(const btf *lb, std::uint32_t lname, const btf *tb, std::uint32_t tname) {
  const std::string l = name_of(lb, lname), t = name_of(tb, tname);
  if (t.empty()) return l.empty();
  return essential_name(l) == essential_name(t);
}

// libbpf's TYPE_MATCHES relation (__bpf_core_types_match() and its
// helpers); on a 0, `why` says where the types part (the first difference
// found, as libbpf gives up there).
int types_match(const btf *lb, std::uint32_t lid, const btf *tb, std::uint32_t tid, bool behind_ptr, int level,
                std::string &why);

int enums_match(const btf *lb, const btf_type *lt, const btf *tb, const btf_type *tt, std::string &why) {
  if (lt->size != tt->size) {
    why = "it is " + std::to_string(lt->size) + " bytes here, " + std::to_string(tt->size) + " in the target";
    return 0;
  }
  for (std::uint32_t i = 0; i < btf_vlen(lt); ++i) {
    const std::uint32_t ln = btf_is_enum(lt) ? btf_enum(lt)[i].name_off : btf_enum64(lt)[i].name_off;
    bool matched = false;
    for (std::uint32_t j = 0; j < btf_vlen(tt) && !matched; ++j) {
      const std::uint32_t tn = btf_is_enum(tt) ? btf_enum(tt)[j].name_off : btf_enum64(tt)[j].name_off;
      matched = names_match(lb, ln, tb, tn);
    }
    if (!matched) {
      why = "the target has no value " + name_of(lb, ln);
      return 0;
    }
  }
  return 1;
}

int composites_match(const btf *lb, const btf_type *lt, const btf *tb, const btf_type *tt, bool behind_ptr,
                     int level, std::string &why) {
  if (btf_vlen(lt) > btf_vlen(tt)) {
    why = "it has " + std::to_string(btf_vlen(lt)) + " fields here, " + std::to_string(btf_vlen(tt)) + " in the target";
    return 0;
  }
  const btf_member *lm = btf_members(lt);
  for (std::uint32_t i = 0; i < btf_vlen(lt); ++i, ++lm) {
    const btf_member *tm = btf_members(tt);
    bool matched = false;
    std::string first_difference;
    for (std::uint32_t j = 0; j < btf_vlen(tt); ++j, ++tm) {
      if (!names_match(lb, lm->name_off, tb, tm->name_off)) continue;
      std::string difference;
      int r = types_match(lb, lm->type, tb, tm->type, behind_ptr, level - 1, difference);
      if (r < 0) return r;
      if (r > 0) {
        matched = true;
        break;
      }
      if (first_difference.empty()) first_difference = difference;
    }
    if (!matched) {
      const std::string field = name_of(lb, lm->name_off);
      const std::string what = field.empty() ? "an anonymous member" : "field '" + field + "'";
      why = first_difference.empty() ? "the target has no " + what : what + ": " + first_difference;
      return 0;
    }
  }
  return 1;
}

int types_match(const btf *lb, std::uint32_t lid, const btf *tb, std::uint32_t tid, bool behind_ptr, int level,
                std::string &why) {
  if (level <= 0) return -EINVAL;
  for (int depth = 32;;) {
    if (--depth < 0) return -EINVAL;
    const btf_type *lt = skip_mods_and_typedefs(lb, lid, &lid);
    const btf_type *tt = skip_mods_and_typedefs(tb, tid, &tid);
    if (!lt || !tt) return -EINVAL;
    const std::string here = spelled(lb, lid), there = spelled(tb, tid);
    auto differ = [&](const std::string &detail) {
      why = here + " here, " + there + " in the target" + (detail.empty() ? "" : " (" + detail + ")");
      return 0;
    };
    // Names count for every kind: clang and the kernel's pahole spell some
    // integers differently ("unsigned long", "long unsigned int").
    if (!names_match(lb, lt->name_off, tb, tt->name_off)) return differ("the names differ");
    const int lk = btf_kind(lt), tk = btf_kind(tt);
    switch (lk) {
      case BTF_KIND_UNKN:
        return lk == tk ? 1 : differ({});
      case BTF_KIND_FWD: {
        const bool lf = btf_kflag(lt);
        if (behind_ptr) {
          if (lk == tk) return lf == btf_kflag(tt) ? 1 : differ({});
          return (tk == BTF_KIND_STRUCT && !lf) || (tk == BTF_KIND_UNION && lf) ? 1 : differ({});
        }
        if (lk != tk) return differ({});
        return lf == btf_kflag(tt) ? 1 : differ({});
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        if (!btf_is_any_enum(tt)) return differ({});
        std::string detail;
        return enums_match(lb, lt, tb, tt, detail) ? 1 : differ(detail);
      }
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        if (behind_ptr) {
          if (lk == tk) return 1;
          if (tk != BTF_KIND_FWD) return differ({});
          return (lk == BTF_KIND_UNION) == btf_kflag(tt) ? 1 : differ({});
        }
        if (lk != tk) return differ({});
        std::string detail;
        const int r = composites_match(lb, lt, tb, tt, behind_ptr, level, detail);
        if (r == 0) why = here + ": " + detail;
        return r;
      }
      case BTF_KIND_INT:
        if (lk != tk) return differ({});
        if (lt->size != tt->size) return differ("sizes differ");
        if ((btf_int_encoding(lt) & BTF_INT_SIGNED) != (btf_int_encoding(tt) & BTF_INT_SIGNED))
          return differ("signedness differs");
        return 1;
      case BTF_KIND_PTR:
        if (lk != tk) return differ({});
        behind_ptr = true;
        lid = lt->type;
        tid = tt->type;
        continue;
      case BTF_KIND_ARRAY:
        if (lk != tk) return differ({});
        if (btf_array(lt)->nelems != btf_array(tt)->nelems) return differ("lengths differ");
        lid = btf_array(lt)->type;
        tid = btf_array(tt)->type;
        continue;
      case BTF_KIND_FUNC_PROTO: {
        if (lk != tk || btf_vlen(lt) != btf_vlen(tt)) return differ("the parameters differ");
        for (std::uint32_t i = 0; i < btf_vlen(lt); ++i) {
          int r = types_match(lb, btf_params(lt)[i].type, tb, btf_params(tt)[i].type, behind_ptr, level - 1, why);
          if (r <= 0) return r;
        }
        lid = lt->type;
        tid = tt->type;
        continue;
      }
      default:
        return differ({});
    }
  }
}

// bpf_core_fields_are_compat().
int fields_are_compatible(const btf *lb, std::uint32_t lid, const btf *tb, std::uint32_t tid) {
  for (;;) {
    const btf_type *lt = skip_mods_and_typedefs(lb, lid, &lid);
    const btf_type *tt = skip_mods_and_typedefs(tb, tid, &tid);
    if (!lt || !tt) return -EINVAL;
    if (btf_is_composite(lt) && btf_is_composite(tt)) return 1;
    if (!kinds_compatible(lt, tt)) return 0;
    switch (btf_kind(lt)) {
      case BTF_KIND_PTR:
      case BTF_KIND_FLOAT:
        return 1;
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const std::string ln = name_of(lb, lt), tn = name_of(tb, tt);
        const auto le = essential_name(ln), te = essential_name(tn);
        return le.empty() || te.empty() || le == te;
      }
      case BTF_KIND_INT:
        return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
      case BTF_KIND_ARRAY:
        lid = btf_array(lt)->type;
        tid = btf_array(tt)->type;
        continue;
      default:
        return 0;
    }
  }
}

// What failed when a candidate did not match, for the report.
struct mismatch {
  std::string why;
};

// bpf_core_match_member(): finds the local field `local` names in target
// type `tid`, descending into anonymous members.
int match_member(const btf *lb, const accessor &local, const btf *tb, std::uint32_t tid, spec &target,
                 std::uint32_t &next_tid, mismatch &miss) {
  const btf_type *tt = skip_mods_and_typedefs(tb, tid, &tid);
  if (!tt) return -EINVAL;
  if (!btf_is_composite(tt)) return 0;
  const btf_type *lt = btf__type_by_id(lb, local.type_id);
  const btf_member *lm = btf_members(lt) + local.index;
  const std::string local_name = name_of(lb, lm->name_off);
  const btf_member *m = btf_members(tt);
  for (std::uint32_t i = 0; i < btf_vlen(tt); ++i, ++m) {
    if (target.raw.size() == max_spec_length) return -E2BIG;
    const std::uint32_t bit_offset = btf_member_bit_offset(tt, i);
    target.bit_offset += bit_offset;
    target.raw.push_back(i);
    const char *name = btf__name_by_offset(tb, m->name_off);
    if (!name || !*name) {
      int found = match_member(lb, local, tb, m->type, target, next_tid, miss);
      if (found) return found;
    } else if (local_name == name) {
      target.high.push_back({tid, i, name});
      next_tid = m->type;
      int compatible = fields_are_compatible(lb, lm->type, tb, m->type);
      if (!compatible) {
        target.high.pop_back();
        miss.why = "field '" + local_name + "' is " + spelled(lb, lm->type) + " here but " +
                   spelled(tb, m->type) + " in the target, which CO-RE does not relocate between";
      }
      return compatible;
    }
    target.bit_offset -= bit_offset;
    target.raw.pop_back();
  }
  return 0;
}

// bpf_core_spec_match(): 1 when `local` matches target type `tid`, 0 when
// not (with the reason), negative on malformed BTF.
int match_spec(const spec &local, const btf *tb, std::uint32_t tid, spec &target, mismatch &miss) {
  target = spec{};
  target.types = tb;
  target.root_id = tid;
  target.kind = local.kind;
  const btf *lb = local.types;

  if (is_type_kind(local.kind)) {
    if (local.kind == BPF_CORE_TYPE_MATCHES) {
      std::string difference;
      int r = types_match(lb, local.root_id, tb, tid, false, 32, difference);
      if (r == 0) miss.why = spelled(tb, tid) + " does not match the local definition: " + difference;
      return r;
    }
    int r = types_are_compatible(lb, local.root_id, tb, tid, 32);
    if (r == 0) miss.why = spelled(tb, tid) + " is not compatible with the local " + spelled(lb, local.root_id);
    return r;
  }

  if (is_enumval_kind(local.kind)) {
    const btf_type *tt = skip_mods_and_typedefs(tb, tid, &tid);
    if (!tt || !btf_is_any_enum(tt)) {
      miss.why = spelled(tb, tid) + " is not an enum";
      return 0;
    }
    const auto wanted = essential_name(local.high[0].name ? local.high[0].name : "");
    for (std::uint32_t i = 0; i < btf_vlen(tt); ++i) {
      const std::string name = enumerator_name(tb, tt, i);
      if (essential_name(name) == wanted) {
        const char *stored = btf_is_enum(tt) ? btf__name_by_offset(tb, btf_enum(tt)[i].name_off)
                                             : btf__name_by_offset(tb, btf_enum64(tt)[i].name_off);
        target.high.push_back({tid, i, stored});
        target.raw.push_back(i);
        return 1;
      }
    }
    miss.why = spelled(tb, tid) + " has no value " + std::string(wanted);
    return 0;
  }

  if (!is_field_kind(local.kind)) return -EINVAL;
  for (std::size_t i = 0; i < local.high.size(); ++i) {
    const accessor &la = local.high[i];
    const btf_type *tt = skip_mods_and_typedefs(tb, tid, &tid);
    if (!tt) return -EINVAL;
    if (la.name) {
      const std::uint32_t holder = tid;
      const int matched = match_member(lb, la, tb, tid, target, tid, miss);
      if (matched < 0) return matched;
      if (matched == 0) {
        if (miss.why.empty()) {
          const btf_type *ht = btf__type_by_id(tb, holder);
          const std::string where = i <= 1 ? spelled(tb, holder) : spec_path(lb, local, i) + " (" + spelled(tb, holder) + ")";
          miss.why = ht && btf_is_composite(ht) ? where + " has no field '" + la.name + "'"
                                                : where + " is not a struct or union in the target";
        }
        return 0;
      }
    } else {
      if (i > 0) {
        if (!btf_is_array(tt)) {
          miss.why = spec_path(lb, local, i) + " is not an array in the target";
          return 0;
        }
        const struct btf_array *a = btf_array(tt);
        const bool flex = flexible_array(tb, target.high.empty() ? nullptr : &target.high.back(), a);
        if (!flex && la.index >= a->nelems) {
          miss.why = "index " + std::to_string(la.index) + " is out of bounds of " + spec_path(lb, local, i) +
                     ", which has " + std::to_string(a->nelems) + " elements in the target";
          return 0;
        }
        if (!skip_mods_and_typedefs(tb, a->type, &tid)) return -EINVAL;
      }
      if (target.raw.size() == max_spec_length) return -E2BIG;
      target.high.push_back({tid, la.index, nullptr});
      target.raw.push_back(la.index);
      const long long size = btf__resolve_size(tb, tid);
      if (size < 0) return static_cast<int>(size);
      target.bit_offset += static_cast<std::uint32_t>(la.index * size * 8);
    }
  }
  return 1;
}

// The result of bpf_core_calc_relo() for one spec pair.
struct relo_result {
  std::uint64_t orig = 0, value = 0;
  bool poison = false;
  bool validate = true;
  bool fail_memsz_adjust = false;
  std::uint32_t orig_size = 0, new_size = 0, orig_type = 0, new_type = 0;
};

std::uint32_t element_size(const btf *b, std::uint32_t id, int &err) {
  std::uint32_t element = 0;
  const btf_type *t = skip_mods_and_typedefs(b, id, &element);
  while (t && btf_is_array(t)) t = skip_mods_and_typedefs(b, btf_array(t)->type, &element);
  const long long size = btf__resolve_size(b, element);
  if (size < 0) err = -EINVAL;
  return size < 0 ? 0 : static_cast<std::uint32_t>(size);
}

// bpf_core_calc_field_relo(); -EUCLEAN asks for poisoning.
int calc_field(bpf_core_relo_kind kind, const spec *s, std::uint64_t &value, std::uint32_t &field_size,
               std::uint32_t &type_id, bool *validate, std::string &why) {
  field_size = 0;
  if (kind == BPF_CORE_FIELD_EXISTS) {
    value = s ? 1 : 0;
    return 0;
  }
  if (!s) return -EUCLEAN;
  const accessor &last = s->high.back();
  const btf *b = s->types;
  if (!last.name) {
    int err = 0;
    if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
      value = s->bit_offset / 8;
      field_size = element_size(b, last.type_id, err);
      type_id = last.type_id;
    } else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
      const long long size = btf__resolve_size(b, last.type_id);
      if (size < 0) err = -EINVAL;
      value = static_cast<std::uint64_t>(size);
    } else {
      why = "this relocation kind cannot be applied to an array element";
      return -EINVAL;
    }
    if (err) why = "the size of an array element cannot be resolved";
    if (validate) *validate = true;
    return err;
  }
  const btf_type *holder = btf__type_by_id(b, last.type_id);
  const btf_member *m = btf_members(holder) + last.index;
  std::uint32_t field_type = 0;
  const btf_type *mt = skip_mods_and_typedefs(b, m->type, &field_type);
  const std::uint32_t bit_off = s->bit_offset;
  std::uint32_t bit_size = btf_member_bitfield_size(holder, last.index);
  std::uint32_t byte_off = 0, byte_size = 0;
  const bool bitfield = bit_size > 0;
  if (bitfield) {
    byte_size = mt->size;
    byte_off = bit_off / 8 / byte_size * byte_size;
    while (bit_off + bit_size - byte_off * 8 > byte_size * 8) {
      if (byte_size >= 8) {
        why = "the bitfield cannot be read with one 64-bit load";
        return -E2BIG;
      }
      byte_size *= 2;
      byte_off = bit_off / 8 / byte_size * byte_size;
    }
  } else {
    const long long size = btf__resolve_size(b, field_type);
    if (size < 0) {
      why = "the size of the field's type cannot be resolved";
      return -EINVAL;
    }
    byte_size = static_cast<std::uint32_t>(size);
    byte_off = s->bit_offset / 8;
    bit_size = byte_size * 8;
  }
  if (validate) *validate = !bitfield;
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET:
      value = byte_off;
      if (!bitfield) {
        int err = 0;
        field_size = element_size(b, field_type, err);
        if (err) {
          why = "the size of the field's type cannot be resolved";
          return err;
        }
        type_id = field_type;
      }
      return 0;
    case BPF_CORE_FIELD_BYTE_SIZE:
      value = byte_size;
      return 0;
    case BPF_CORE_FIELD_SIGNED:
      value = (btf_is_any_enum(mt) && btf_kflag(mt)) || (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED));
      if (validate) *validate = true;
      return 0;
    case BPF_CORE_FIELD_LSHIFT_U64:
      value = 64 - (bit_off + bit_size - byte_off * 8);  // little-endian targets
      return 0;
    case BPF_CORE_FIELD_RSHIFT_U64:
      value = 64 - bit_size;
      if (validate) *validate = true;
      return 0;
    default:
      why = "unknown field relocation kind";
      return -EOPNOTSUPP;
  }
}

int calc_type(bpf_core_relo_kind kind, const spec *s, std::uint64_t &value, bool *validate, std::string &why) {
  if (validate) *validate = true;
  if (!s) {
    value = 0;
    return 0;
  }
  switch (kind) {
    case BPF_CORE_TYPE_ID_TARGET:
      value = s->root_id;
      if (validate) *validate = false;
      return 0;
    case BPF_CORE_TYPE_EXISTS:
    case BPF_CORE_TYPE_MATCHES:
      value = 1;
      return 0;
    case BPF_CORE_TYPE_SIZE: {
      const long long size = btf__resolve_size(s->types, s->root_id);
      if (size < 0) {
        why = "the size of " + spelled(s->types, s->root_id) + " cannot be resolved";
        return -EINVAL;
      }
      value = static_cast<std::uint64_t>(size);
      return 0;
    }
    default:
      why = "unknown type relocation kind";
      return -EOPNOTSUPP;
  }
}

int calc_enumval(bpf_core_relo_kind kind, const spec *s, std::uint64_t &value, std::string &why) {
  switch (kind) {
    case BPF_CORE_ENUMVAL_EXISTS:
      value = s ? 1 : 0;
      return 0;
    case BPF_CORE_ENUMVAL_VALUE: {
      if (!s) return -EUCLEAN;
      const btf_type *t = btf__type_by_id(s->types, s->high[0].type_id);
      value = btf_is_enum(t) ? static_cast<std::uint64_t>(static_cast<std::int64_t>(btf_enum(t)[s->high[0].index].val))
                             : btf_enum64_value(btf_enum64(t) + s->high[0].index);
      return 0;
    }
    default:
      why = "unknown enum relocation kind";
      return -EOPNOTSUPP;
  }
}

// bpf_core_calc_relo(): 0 (with result.poison possibly set), or an error.
int calc_relo(const spec &local, const spec *target, relo_result &r, std::string &why) {
  r = relo_result{};
  int err = -EOPNOTSUPP;
  if (is_field_kind(local.kind)) {
    err = calc_field(local.kind, &local, r.orig, r.orig_size, r.orig_type, &r.validate, why);
    if (!err) err = calc_field(local.kind, target, r.value, r.new_size, r.new_type, nullptr, why);
    if (!err && r.orig_size != r.new_size) {
      const btf_type *ot = btf__type_by_id(local.types, r.orig_type);
      const btf_type *nt = btf__type_by_id(target->types, r.new_type);
      const bool pointers = ot && nt && btf_is_ptr(ot) && btf_is_ptr(nt);
      const bool unsigned_ints = ot && nt && btf_is_int(ot) && btf_is_int(nt) &&
                                 btf_int_encoding(ot) != BTF_INT_SIGNED && btf_int_encoding(nt) != BTF_INT_SIGNED;
      r.fail_memsz_adjust = !pointers && !unsigned_ints;
    }
  } else if (is_type_kind(local.kind)) {
    err = calc_type(local.kind, &local, r.orig, &r.validate, why);
    if (!err) err = calc_type(local.kind, target, r.value, nullptr, why);
  } else if (is_enumval_kind(local.kind)) {
    err = calc_enumval(local.kind, &local, r.orig, why);
    if (!err) err = calc_enumval(local.kind, target, r.value, why);
  }
  if (err == -EUCLEAN) {
    r.poison = true;
    err = 0;
  }
  return err;
}

std::string describe_candidate(const btf *b, std::uint32_t id, const std::string &where) {
  return spelled(b, id) + " [" + std::to_string(id) + "]" + (where.empty() ? "" : " in module " + where);
}

}  // namespace

struct core_resolver::candidate {
  const btf *types;
  std::uint32_t id;
  std::string module;  // empty for the target's vmlinux
};

core_resolver::core_resolver(const btf *local, core_target target) : local_(local), target_(std::move(target)) {}
core_resolver::~core_resolver() = default;

std::vector<core_resolver::candidate> &core_resolver::candidates(std::uint32_t local_id) {
  auto cached = cache_.find(local_id);
  if (cached != cache_.end()) return cached->second;
  std::vector<candidate> found;
  const btf_type *lt = btf__type_by_id(local_, local_id);
  const std::string wanted(essential_name(name_of(local_, lt)));
  auto search = [&](const btf *b, std::uint32_t first, const std::string &module) {
    const std::uint32_t n = btf__type_cnt(b);
    for (std::uint32_t id = first; id < n; ++id) {
      const btf_type *t = btf__type_by_id(b, id);
      if (!kinds_compatible(t, lt) || !t->name_off) continue;
      const char *name = btf__name_by_offset(b, t->name_off);
      if (name && essential_name(name) == wanted) found.push_back({b, id, module});
    }
  };
  search(target_.vmlinux, 1, {});
  if (found.empty() && target_.modules) {
    const std::uint32_t first = btf__type_cnt(target_.vmlinux);
    for (const module_btf &m : target_.modules()) search(m.types.get(), first, m.name);
  }
  return cache_.emplace(local_id, std::move(found)).first->second;
}

core_decision core_resolver::resolve(const core_record &record) {
  core_decision d;
  const btf_type *lt = btf__type_by_id(local_, record.type_id);
  if (!lt) {
    d.reason = "the relocation names type [" + std::to_string(record.type_id) + "], which the object's BTF lacks";
    return d;
  }
  spec local;
  std::string why;
  if (parse_spec(local_, record, local, why) != 0) {
    d.reason = "libbpf cannot parse the relocation: " + why;
    return d;
  }
  if (record.kind == BPF_CORE_TYPE_ID_LOCAL) {
    d.what = core_decision::outcome::value;
    d.validate = false;
    d.local_value = d.target_value = local.root_id;
    d.target_type = "the object's own " + spelled(local_, record.type_id);
    return d;
  }
  const std::string local_name = name_of(local_, lt);
  if (local_name.empty()) {
    d.reason = "libbpf does not relocate against anonymous types";
    return d;
  }

  std::vector<candidate> &cands = candidates(record.type_id);
  std::vector<candidate> matched;
  std::vector<std::string> misses;
  relo_result result{};
  spec chosen;
  std::string chosen_name;
  for (const candidate &c : cands) {
    spec target;
    mismatch miss;
    const int r = match_spec(local, c.types, c.id, target, miss);
    const std::string name = describe_candidate(c.types, c.id, c.module);
    if (r < 0) {
      d.reason = "matching candidate " + name + " fails: its BTF is malformed (" + error_category().message(-r) + ")";
      return d;
    }
    if (r == 0) {
      misses.push_back(miss.why.empty() ? name + " does not match" : miss.why);
      continue;
    }
    relo_result candidate_result;
    if (calc_relo(local, &target, candidate_result, why) != 0) {
      d.reason = why + " (candidate " + name + ")";
      return d;
    }
    if (matched.empty()) {
      result = candidate_result;
      chosen = target;
      chosen_name = name;
    } else if (target.bit_offset != chosen.bit_offset) {
      d.reason = "ambiguous candidates: " + chosen_name + " puts the field at bit " +
                 std::to_string(chosen.bit_offset) + ", " + name + " at bit " + std::to_string(target.bit_offset);
      return d;
    } else if (candidate_result.poison != result.poison || candidate_result.value != result.value) {
      d.reason = "ambiguous candidates: " + chosen_name + " gives " + std::to_string(result.value) + ", " +
                 name + " gives " + std::to_string(candidate_result.value);
      return d;
    }
    matched.push_back(c);
  }
  if (!matched.empty()) cands = matched;  // libbpf narrows the cached list

  if (matched.empty()) {
    if (calc_relo(local, nullptr, result, why) != 0) {
      d.reason = why;
      return d;
    }
    const std::string kind = lt ? detail::kind_word(lt) : "type";
    const auto essential = essential_name(local_name);
    if (cands.empty()) {
      d.reason = "no " + kind + " named '" + std::string(essential) + "'" +
                 (essential.size() != local_name.size() ? " (the name of " + local_name + " without its flavor)" : "") +
                 " in " + target_.origin + (target_.modules ? " or its modules" : "");
    } else {
      for (std::size_t i = 0; i < misses.size(); ++i) d.reason += (i ? "; " : "") + misses[i];
    }
  } else {
    d.target_type = chosen_name;
  }
  d.local_value = result.orig;
  d.target_value = result.value;
  d.validate = result.validate;
  d.local_size = result.orig_size;
  d.target_size = result.new_size;
  d.size_adjust_fails = result.fail_memsz_adjust;
  d.what = result.poison ? core_decision::outcome::poison : core_decision::outcome::value;
  return d;
}

bool is_poisoned(const bpf_insn &insn) {
  return insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == 0 && insn.imm == poison_helper;
}

namespace {

void poison(bpf_insn *insns, std::size_t available) {
  const bool wide = insns[0].code == (BPF_LD | BPF_IMM | BPF_DW);
  for (std::size_t i = 0; i < (wide && available > 1 ? 2u : 1u); ++i) {
    insns[i].code = BPF_JMP | BPF_CALL;
    insns[i].dst_reg = 0;
    insns[i].src_reg = 0;
    insns[i].off = 0;
    insns[i].imm = poison_helper;
  }
}

int size_bytes(std::uint8_t code) {
  switch (BPF_SIZE(code)) {
    case BPF_DW: return 8;
    case BPF_W: return 4;
    case BPF_H: return 2;
    case BPF_B: return 1;
    default: return -1;
  }
}

int size_code(std::uint32_t bytes) {
  switch (bytes) {
    case 8: return BPF_DW;
    case 4: return BPF_W;
    case 2: return BPF_H;
    case 1: return BPF_B;
    default: return -1;
  }
}

std::uint64_t widened(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace

std::string patch_instruction(bpf_insn *insns, std::size_t available, core_decision &d) {
  auto refuse = [&d](std::string why) {
    d.what = core_decision::outcome::error;
    d.reason = why;
    return why;
  };
  if (d.what == core_decision::outcome::error) return d.reason;
  if (available == 0) return refuse("the relocated instruction is past the end of its section");
  bpf_insn &insn = insns[0];
  if (d.what == core_decision::outcome::poison) {
    poison(insns, available);
    return {};
  }
  const std::uint8_t cls = BPF_CLASS(insn.code);
  const std::string got = "the instruction holds ";
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      if (BPF_SRC(insn.code) != BPF_K) return refuse("the relocated instruction has no immediate operand");
      if (d.validate && widened(insn.imm) != d.local_value)
        return refuse(got + std::to_string(insn.imm) + ", not the expected " + std::to_string(d.local_value) +
                      " (the object's code and BTF disagree)");
      insn.imm = static_cast<std::int32_t>(d.target_value);
      return {};
    case BPF_LDX:
    case BPF_ST:
    case BPF_STX: {
      if (d.validate && widened(insn.off) != d.local_value)
        return refuse(got + "offset " + std::to_string(insn.off) + ", not the expected " +
                      std::to_string(d.local_value) + " (the object's code and BTF disagree)");
      if (d.target_value > SHRT_MAX)
        return refuse("offset " + std::to_string(d.target_value) + " does not fit a load or store instruction");
      if (d.size_adjust_fails) {
        d.what = core_decision::outcome::poison;
        d.reason = "the field is " + std::to_string(d.target_size) + " bytes in the target but " +
                   std::to_string(d.local_size) +
                   " here, and libbpf adjusts the load size only for pointers and unsigned integers";
        poison(insns, available);
        return {};
      }
      insn.off = static_cast<std::int16_t>(d.target_value);
      if (d.target_size != d.local_size) {
        if (size_bytes(insn.code) != static_cast<int>(d.local_size))
          return refuse("the instruction accesses " + std::to_string(size_bytes(insn.code)) +
                        " bytes, not the field's " + std::to_string(d.local_size));
        const int code = size_code(d.target_size);
        if (code < 0) return refuse("the target field's size " + std::to_string(d.target_size) + " cannot be loaded");
        insn.code = static_cast<std::uint8_t>(BPF_MODE(insn.code) | code | BPF_CLASS(insn.code));
      }
      return {};
    }
    case BPF_LD: {
      if (insn.code != (BPF_LD | BPF_IMM | BPF_DW) || available < 2 || insn.src_reg != 0 || insn.off != 0 ||
          insns[1].code != 0 || insns[1].dst_reg != 0 || insns[1].src_reg != 0 || insns[1].off != 0)
        return refuse("the relocated 64-bit load has an unexpected form");
      const std::uint64_t imm = static_cast<std::uint32_t>(insns[0].imm) |
                                static_cast<std::uint64_t>(static_cast<std::uint32_t>(insns[1].imm)) << 32;
      if (d.validate && imm != d.local_value)
        return refuse(got + std::to_string(imm) + ", not the expected " + std::to_string(d.local_value) +
                      " (the object's code and BTF disagree)");
      insns[0].imm = static_cast<std::int32_t>(d.target_value);
      insns[1].imm = static_cast<std::int32_t>(d.target_value >> 32);
      return {};
    }
    default:
      return refuse("libbpf cannot relocate this kind of instruction (opcode 0x" +
                    [&] {
                      char buf[8];
                      std::snprintf(buf, sizeof buf, "%02x", insn.code);
                      return std::string(buf);
                    }() + ")");
  }
}

}  // namespace bpfkit::inspect

namespace bpfkit::inspect {

const char *core_kind_name(bpf_core_relo_kind kind) {
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET: return "byte_off";
    case BPF_CORE_FIELD_BYTE_SIZE: return "byte_sz";
    case BPF_CORE_FIELD_EXISTS: return "field_exists";
    case BPF_CORE_FIELD_SIGNED: return "signed";
    case BPF_CORE_FIELD_LSHIFT_U64: return "lshift_u64";
    case BPF_CORE_FIELD_RSHIFT_U64: return "rshift_u64";
    case BPF_CORE_TYPE_ID_LOCAL: return "local_type_id";
    case BPF_CORE_TYPE_ID_TARGET: return "target_type_id";
    case BPF_CORE_TYPE_EXISTS: return "type_exists";
    case BPF_CORE_TYPE_MATCHES: return "type_matches";
    case BPF_CORE_TYPE_SIZE: return "type_size";
    case BPF_CORE_ENUMVAL_EXISTS: return "enumval_exists";
    case BPF_CORE_ENUMVAL_VALUE: return "enumval_value";
    default: return "unknown";
  }
}

const char *core_kind_phrase(bpf_core_relo_kind kind) {
  switch (kind) {
    case BPF_CORE_FIELD_BYTE_OFFSET: return "field offset";
    case BPF_CORE_FIELD_BYTE_SIZE: return "field size";
    case BPF_CORE_FIELD_EXISTS: return "field exists";
    case BPF_CORE_FIELD_SIGNED: return "field signed";
    case BPF_CORE_FIELD_LSHIFT_U64: return "bitfield lshift";
    case BPF_CORE_FIELD_RSHIFT_U64: return "bitfield rshift";
    case BPF_CORE_TYPE_ID_LOCAL: return "local type id";
    case BPF_CORE_TYPE_ID_TARGET: return "target type id";
    case BPF_CORE_TYPE_EXISTS: return "type exists";
    case BPF_CORE_TYPE_MATCHES: return "type matches";
    case BPF_CORE_TYPE_SIZE: return "type size";
    case BPF_CORE_ENUMVAL_EXISTS: return "enum value exists";
    case BPF_CORE_ENUMVAL_VALUE: return "enum value";
    default: return "unknown kind";
  }
}

std::string describe_access(const btf *local, const core_record &record) {
  spec s;
  std::string why;
  if (parse_spec(local, record, s, why) != 0)
    return spelled(local, record.type_id) + " + access \"" + record.access + "\"";
  if (is_type_kind(record.kind)) return spelled(local, record.type_id);
  if (is_enumval_kind(record.kind))
    return spelled(local, record.type_id) + "::" + (s.high[0].name ? s.high[0].name : "?");
  // spec_path() starts with the root's name: an anonymous root gets its kind.
  const std::string path = spec_path(local, s, s.high.size());
  return name_of(local, btf__type_by_id(local, record.type_id)).empty() ? spelled(local, record.type_id) + path
                                                                          : path;
}

std::vector<accessed_field> accessed_fields(const btf *local, const core_record &record) {
  std::vector<accessed_field> fields;
  spec s;
  std::string why;
  if (!is_field_kind(record.kind) || parse_spec(local, record, s, why) != 0) return fields;
  std::uint32_t id = 0;
  skip_mods_and_typedefs(local, record.type_id, &id);
  std::uint32_t holder = id;
  std::string prefix;  // names from `holder` down to the current (anonymous) member
  for (std::size_t i = 1; i < s.raw.size(); ++i) {
    const btf_type *t = skip_mods_and_typedefs(local, id, &id);
    if (!t) break;
    if (btf_is_composite(t)) {
      const btf_member *m = btf_members(t) + s.raw[i];
      const std::string name = name_of(local, m->name_off);
      if (!name.empty()) {
        fields.push_back({holder, prefix + name});
        prefix += name + ".";
      }
      id = m->type;
    } else if (btf_is_array(t)) {
      id = btf_array(t)->type;
    } else {
      break;
    }
    std::uint32_t inner = 0;
    const btf_type *next = skip_mods_and_typedefs(local, id, &inner);
    if (next && btf_is_composite(next) && next->name_off) {
      holder = inner;
      prefix.clear();
    }
  }
  return fields;
}

}  // namespace bpfkit::inspect
