#include "bpfkit/inspect/compare.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "bpfkit/inspect/core.hpp"
#include "bpfkit/inspect/layout.hpp"
#include "bpfkit/inspect/type_selection.hpp"
#include "btf_util.hpp"
#include "json.hpp"

namespace bpfkit::inspect {

using detail::essential_name;
using detail::name_of;
using detail::skip_mods;
using detail::skip_mods_and_typedefs;
using detail::spelled;

namespace {

// A side of the comparison: its BTF, C declarations and named types by
// essential name.
struct side {
  explicit side(const btf *types) : b(types), c(types) {
    const std::uint32_t n = btf__type_cnt(b);
    for (std::uint32_t id = 1; id < n; ++id) {
      const btf_type *t = btf__type_by_id(b, id);
      if (t->name_off && (btf_is_composite(t) || btf_is_any_enum(t)))
        by_name[std::string(essential_name(name_of(b, t)))].push_back(id);
    }
  }

  std::string type_text(std::uint32_t id) const {
    std::uint32_t resolved = 0;
    const btf_type *t = skip_mods_and_typedefs(b, id, &resolved);
    if (t && btf_is_composite(t) && !t->name_off) return btf_is_union(t) ? "union {...}" : "struct {...}";
    if (t && btf_is_any_enum(t) && !t->name_off) return "enum {...}";
    return c.declare(resolved);
  }

  // The type as the comparison sees it (see field_shape::type_key).
  std::string type_key(std::uint32_t id, int depth = 0) const {
    const btf_type *t = skip_mods_and_typedefs(b, id);
    if (!t || depth > 16) return "?";
    switch (btf_kind(t)) {
      case BTF_KIND_UNKN: return "void";
      case BTF_KIND_INT: {
        const std::uint8_t encoding = btf_int_encoding(t);
        const char *sign = encoding & BTF_INT_BOOL ? "bool" : encoding & BTF_INT_SIGNED ? "s" : "u";
        return sign + std::to_string(btf_int_bits(t));
      }
      case BTF_KIND_FLOAT: return "f" + std::to_string(t->size * 8);
      case BTF_KIND_PTR: return type_key(t->type, depth + 1) + "*";
      case BTF_KIND_ARRAY:
        return type_key(btf_array(t)->type, depth + 1) + "[" + std::to_string(btf_array(t)->nelems) + "]";
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const std::string name = name_of(b, t);
        const char *kind = btf_is_any_enum(t) ? "enum" : (btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t))) ? "union" : "struct";
        return std::string(kind) + " " + (name.empty() ? "{...}" : std::string(essential_name(name)));
      }
      case BTF_KIND_FUNC_PROTO: return "function";
      default: return detail::kind_word(t);
    }
  }

  const btf *b;
  c_declarations c;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_name;
};

using shapes = std::vector<std::pair<std::string, field_shape>>;

void flatten(const side &s, const btf_type *t, std::uint64_t base, const std::string &prefix, shapes &out,
             int depth) {
  if (depth > 32) return;
  const btf_member *m = btf_members(t);
  for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
    const std::uint64_t offset = base + btf_member_bit_offset(t, i);
    const btf_type *mt = skip_mods_and_typedefs(s.b, m->type);
    const bool anonymous_body = mt && btf_is_composite(mt) && !mt->name_off;
    const std::string name = name_of(s.b, m->name_off);
    if (name.empty()) {
      if (anonymous_body) flatten(s, mt, offset, prefix, out, depth + 1);
      continue;  // unnamed bitfield padding
    }
    field_shape f;
    f.bit_offset = offset;
    const std::uint32_t width = btf_member_bitfield_size(t, i);
    const long long size = btf__resolve_size(s.b, m->type);
    f.bitfield = width > 0;
    f.bits = f.bitfield ? width : static_cast<std::uint64_t>(std::max<long long>(size, 0)) * 8;
    f.type = s.type_text(m->type);
    f.type_key = s.type_key(m->type);
    out.emplace_back(prefix + name, f);
    if (anonymous_body) flatten(s, mt, offset, prefix + name + ".", out, depth + 1);
  }
}

shapes shapes_of(const side &s, std::uint32_t id) {
  shapes out;
  const btf_type *t = btf__type_by_id(s.b, id);
  if (btf_is_composite(t)) {
    flatten(s, t, 0, "", out, 0);
  } else if (btf_is_enum(t)) {
    for (std::uint32_t i = 0; i < btf_vlen(t); ++i) {
      const struct btf_enum *e = btf_enum(t) + i;
      const std::uint64_t v = btf_kflag(t) ? static_cast<std::uint64_t>(static_cast<std::int64_t>(e->val))
                                           : static_cast<std::uint32_t>(e->val);
      out.emplace_back(name_of(s.b, e->name_off), field_shape{v, 0, false, {}, {}});
    }
  } else if (btf_is_enum64(t)) {
    for (std::uint32_t i = 0; i < btf_vlen(t); ++i)
      out.emplace_back(name_of(s.b, btf_enum64(t)[i].name_off), field_shape{btf_enum64_value(btf_enum64(t) + i), 0, false, {}, {}});
  }
  return out;
}

}  // namespace

struct type_comparer::state {
  state(const btf *base, const btf *target) : baseline(base), target(target) {}
  side baseline;
  side target;
};

type_comparer::type_comparer(const btf *baseline, const btf *target)
    : state_(std::make_unique<state>(baseline, target)) {}
type_comparer::~type_comparer() = default;

type_comparison type_comparer::compare(std::uint32_t id) const {
  const side &base = state_->baseline, &other = state_->target;
  type_comparison c;
  const btf_type *t = skip_mods_and_typedefs(base.b, id, &id);
  c.baseline_id = id;
  c.title = spelled(base.b, id);
  if (!t || !(btf_is_composite(t) || btf_is_any_enum(t))) return c;
  c.enumeration = btf_is_any_enum(t);
  c.baseline_size = t->size;
  const std::string name = name_of(base.b, t);
  auto found = other.by_name.find(std::string(essential_name(name)));
  if (found != other.by_name.end()) {
    for (std::uint32_t candidate : found->second) {
      const btf_type *ct = btf__type_by_id(other.b, candidate);
      const bool kind = btf_kind(ct) == btf_kind(t) || (btf_is_any_enum(ct) && btf_is_any_enum(t));
      if (!kind) continue;
      if (!c.target_id || name_of(other.b, ct) == name) c.target_id = candidate;
      if (name_of(other.b, ct) == name) break;
    }
  }
  const shapes mine = shapes_of(base, id);
  c.fields = mine.size();
  if (!c.target_id) return c;
  const btf_type *tt = btf__type_by_id(other.b, c.target_id);
  c.target_size = tt->size;
  if (name_of(other.b, tt) != name) c.target_title = spelled(other.b, c.target_id);
  const shapes theirs = shapes_of(other, c.target_id);
  std::unordered_map<std::string, const field_shape *> index;
  for (const auto &[field, shape] : theirs) index.emplace(field, &shape);
  std::set<std::string> matched;
  for (const auto &[field, shape] : mine) {
    auto it = index.find(field);
    field_change change;
    change.field = field;
    change.baseline = shape;
    if (it == index.end()) {
      c.changes.push_back(change);
      continue;
    }
    matched.insert(field);
    change.target = *it->second;
    change.offset = shape.bit_offset != it->second->bit_offset;
    change.size = shape.bits != it->second->bits || shape.bitfield != it->second->bitfield;
    change.type = shape.type_key != it->second->type_key;
    if (change.offset || change.size || change.type) c.changes.push_back(change);
  }
  // A ___flavor declares the few fields a program reads: what else the
  // target has is not a difference.
  const bool flavor = essential_name(name).size() != name.size();
  for (const auto &[field, shape] : theirs)
    if (!flavor && !matched.count(field)) {
      field_change change;
      change.field = field;
      change.target = shape;
      c.changes.push_back(change);
    }
  return c;
}

std::map<std::pair<std::uint32_t, std::string>, std::vector<std::string>> core_reads(const object_file &object) {
  std::map<std::pair<std::uint32_t, std::string>, std::vector<std::string>> reads;
  for (const core_record &record : object.core_records()) {
    const line_record *line = object.line_of_use(record.section, record.insn);
    const std::string where = line ? line->file.substr(line->file.find_last_of('/') + 1) + ":" +
                                         std::to_string(line->line)
                                   : record.section + "+" + std::to_string(record.insn);
    for (const accessed_field &f : accessed_fields(object.types(), record)) {
      auto &list = reads[{f.holder, f.field}];
      if (std::find(list.begin(), list.end(), where) == list.end()) list.push_back(where);
    }
  }
  return reads;
}

std::vector<std::uint32_t> object_kernel_types(const object_file &object, const btf *host, const btf *target) {
  const btf *b = object.types();
  std::set<std::uint32_t> chosen;
  auto add = [&](std::uint32_t id) {
    const btf_type *t = skip_mods_and_typedefs(b, id, &id);
    if (t && t->name_off && (btf_is_composite(t) || btf_is_any_enum(t))) chosen.insert(id);
  };
  for (const core_record &record : object.core_records()) {
    add(record.type_id);
    for (const accessed_field &f : accessed_fields(b, record)) add(f.holder);
  }
  std::vector<std::string> programs;
  for (const function_symbol &f : object.functions())
    if (f.program) programs.push_back(f.name);
  for (const program_context &c : find_roots(b, programs).contexts) add(c.type);

  std::vector<std::unique_ptr<type_comparer>> references;
  for (const btf *reference : {host, target})
    if (reference) references.push_back(std::make_unique<type_comparer>(b, reference));
  for (std::uint32_t id : all_named_types(b)) {
    if (chosen.count(id)) continue;
    for (const auto &reference : references)
      if (reference->compare(id).same()) {
        chosen.insert(id);
        break;
      }
  }
  std::vector<std::uint32_t> ids(chosen.begin(), chosen.end());
  std::stable_sort(ids.begin(), ids.end(), [b](std::uint32_t x, std::uint32_t y) {
    return name_of(b, btf__type_by_id(b, x)) < name_of(b, btf__type_by_id(b, y));
  });
  return ids;
}

namespace {

std::string where_text(const field_shape &f) {
  if (f.bitfield || f.bit_offset % 8) return std::to_string(f.bit_offset / 8) + ":" + std::to_string(f.bit_offset % 8);
  return std::to_string(f.bit_offset / 8);
}

std::string size_text(const field_shape &f) {
  return f.bitfield ? std::to_string(f.bits) + (f.bits == 1 ? " bit" : " bits") : std::to_string(f.bits / 8);
}

std::string change_text(const type_comparison &c, const field_change &f, const std::string &target) {
  if (c.enumeration) {
    auto value = [](const field_shape &s) { return std::to_string(static_cast<std::int64_t>(s.bit_offset)); };
    if (!f.target) return "= " + value(*f.baseline) + ", missing on " + target;
    if (!f.baseline) return "only on " + target + " (= " + value(*f.target) + ")";
    return "value " + value(*f.baseline) + " -> " + value(*f.target);
  }
  if (!f.target) return "missing on " + target;
  if (!f.baseline)
    return "only on " + target + " (offset " + where_text(*f.target) + ", size " + size_text(*f.target) + ")";
  std::string text;
  auto add = [&text](const std::string &part) { text += (text.empty() ? "" : ", ") + part; };
  if (f.offset) add("offset " + where_text(*f.baseline) + " -> " + where_text(*f.target));
  if (f.size) add("size " + size_text(*f.baseline) + " -> " + size_text(*f.target));
  if (f.type) add("type " + f.baseline->type + " -> " + f.target->type);
  return text;
}

const std::vector<std::string> *reads_of(const comparison_report &r, const type_comparison &c, const std::string &field) {
  auto it = r.reads.find({c.baseline_id, field});
  return it == r.reads.end() ? nullptr : &it->second;
}

std::string joined(const std::vector<std::string> &items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text;
}

std::string plural(std::size_t n, const std::string &word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string comparison_text(const comparison_report &r) {
  std::size_t differ = 0, missing = 0;
  std::vector<std::string> same;
  for (const type_comparison &c : r.types) {
    if (!c.target_id) ++missing;
    else if (c.same()) same.push_back(c.title);
    else ++differ;
  }
  std::string out = r.baseline + " compared with " + r.target + ": " + plural(r.types.size(), "type") + ", " +
                    std::to_string(differ) + " differ" + (missing ? ", " + std::to_string(missing) + " missing" : "") +
                    "\n";
  for (const type_comparison &c : r.types) {
    if (c.same()) continue;
    out += "\n" + c.title;
    if (!c.target_id) {
      out += ": missing on " + r.target + "\n";
      continue;
    }
    if (!c.target_title.empty()) out += " (as " + c.target_title + ")";
    out += ": ";
    const bool flavor = !c.target_title.empty();  // its size is the flavor's, not the kernel's
    if (c.baseline_size != c.target_size && !flavor)
      out += "size " + std::to_string(c.baseline_size) + " -> " + std::to_string(c.target_size) + ", ";
    std::size_t read = 0, differ_here = 0;
    for (const field_change &f : c.changes) {
      read += reads_of(r, c, f.field) != nullptr;
      differ_here += f.baseline.has_value();
    }
    out += std::to_string(differ_here) + " of " + plural(c.fields, c.enumeration ? "value" : "field") + " differ";
    if (c.changes.size() > differ_here)
      out += ", " + std::to_string(c.changes.size() - differ_here) + " only on " + r.target;
    if (read) out += " (" + std::to_string(read) + " read through CO-RE: 'bpfkit core' shows how they resolve)";
    out += "\n";
    std::size_t width = 0;
    for (const field_change &f : c.changes) width = std::max(width, std::min<std::size_t>(f.field.size(), 40));
    for (const field_change &f : c.changes) {
      std::string line = "    " + f.field;
      line.append(f.field.size() < width ? width - f.field.size() : 0, ' ');
      line += "  " + change_text(c, f, r.target);
      if (const auto *where = reads_of(r, c, f.field)) line += "  <- CO-RE read at " + joined(*where);
      out += line + "\n";
    }
  }
  if (!same.empty()) out += "\nsame layout on " + r.target + ": " + joined(same) + "\n";
  return out;
}

std::string comparison_json(const comparison_report &r) {
  detail::json_writer w;
  w.begin_object().field("baseline", r.baseline).field("target", r.target);
  w.key("types").begin_array();
  auto shape = [&w](const char *key, const std::optional<field_shape> &s, bool enumeration) {
    w.key(key);
    if (!s) {
      w.null();
      return;
    }
    w.begin_object();
    if (enumeration) {
      w.field("value", static_cast<std::int64_t>(s->bit_offset));
    } else {
      w.field("offset", s->bit_offset / 8).field("size", s->bitfield ? (s->bits + 7) / 8 : s->bits / 8);
      w.field("bit_offset", s->bit_offset).field("bit_size", s->bits).field("type", s->type);
      if (s->bitfield) w.field("bitfield", true);
    }
    w.end_object();
  };
  for (const type_comparison &c : r.types) {
    w.begin_object().field("type", c.title);
    w.field("status", !c.target_id ? "missing" : c.same() ? "same" : "differs");
    if (!c.target_title.empty()) w.field("target_type", c.target_title);
    w.key("size").begin_object().field("baseline", c.baseline_size);
    w.key("target");
    if (c.target_id) w.value(c.target_size);
    else w.null();
    w.end_object();
    w.key("changes").begin_array();
    for (const field_change &f : c.changes) {
      w.begin_object().field(c.enumeration ? "value" : "field", f.field);
      w.key("differs").begin_array();
      if (!f.baseline) w.value("only_on_target");
      else if (!f.target) w.value("missing_on_target");
      if (f.offset) w.value(c.enumeration ? "value" : "offset");
      if (f.size) w.value("size");
      if (f.type) w.value("type");
      w.end_array();
      shape("baseline", f.baseline, c.enumeration);
      shape("target", f.target, c.enumeration);
      if (const auto *where = reads_of(r, c, f.field)) {
        w.key("core_reads").begin_array();
        for (const std::string &s : *where) w.value(s);
        w.end_array();
      }
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.str();
}

}  // namespace bpfkit::inspect
