#include "bpfkit/inspect/layout.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "btf_util.hpp"
#include "layout_json.hpp"

namespace bpfkit::inspect {

using detail::name_of;
using detail::skip_mods;
using detail::skip_mods_and_typedefs;

struct c_declarations::state {
  const btf *types = nullptr;
  btf_dump *dump = nullptr;
  std::string buffer;

  static void print(void *ctx, const char *format, va_list args) {
    auto *self = static_cast<state *>(ctx);
    va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (n <= 0) return;
    std::string text(static_cast<std::size_t>(n) + 1, '\0');
    std::vsnprintf(text.data(), text.size(), format, args);
    text.pop_back();
    self->buffer += text;
  }
};

c_declarations::c_declarations(const btf *types) : state_(std::make_unique<state>()) {
  state_->types = types;
  state_->dump = btf_dump__new(types, &state::print, state_.get(), nullptr);
}

c_declarations::~c_declarations() {
  if (state_->dump) btf_dump__free(state_->dump);
}

std::string c_declarations::declare(std::uint32_t type_id, const std::string &name) const {
  state_->buffer.clear();
  bool written = false;
  if (state_->dump) {
    LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name.c_str(), .indent_level = 0,
                .strip_mods = false);
    written = btf_dump__emit_type_decl(state_->dump, type_id, &opts) == 0;
  }
  if (!written) {
    return detail::spelled(state_->types, type_id) + (name.empty() ? "" : " " + name);
  }
  // One line: an inline anonymous type comes out over several.
  std::string line;
  bool space = false;
  for (char c : state_->buffer) {
    if (c == '\n' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !line.empty() && line.back() != '(' && line.back() != '[' && c != ')' && c != ']' && c != ';' &&
        c != ',')
      line += ' ';
    space = false;
    line += c;
  }
  return line;
}

std::string bits_phrase(std::uint64_t bits) {
  const std::uint64_t bytes = bits / 8, rest = bits % 8;
  std::string text;
  if (bytes) text = std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  if (rest) text += (text.empty() ? "" : " ") + std::to_string(rest) + (rest == 1 ? " bit" : " bits");
  return text.empty() ? "0 bytes" : text;
}

namespace {

// A member whose type is an anonymous struct or union (`union { ... };` or
// `struct { ... } ports;`): laid out in place.
const btf_type *anonymous_composite(const btf *b, const btf_member &m) {
  const btf_type *t = skip_mods(b, m.type);
  return t && btf_is_composite(t) && !t->name_off ? t : nullptr;
}

void add_gap(std::vector<layout_entry> &out, layout_entry::kind kind, std::uint64_t from, std::uint64_t to) {
  layout_entry gap;
  gap.what = kind;
  gap.bit_offset = from;
  gap.bits = to - from;
  out.push_back(std::move(gap));
}

// The members of struct/union `t` placed at `base` bits, their holes and
// trailing padding (reported as padding only for the outermost type: inside
// an anonymous member it is a hole of the outer type).
void lay_out_members(const btf *b, const btf_type *t, std::uint64_t base, const c_declarations &c,
                     std::vector<layout_entry> &out, type_layout &summary, bool outermost) {
  const btf_member *m = btf_members(t);
  std::uint64_t end = base;
  for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
    layout_entry e;
    e.bit_offset = base + btf_member_bit_offset(t, i);
    const std::uint32_t width = btf_member_bitfield_size(t, i);
    const long long size = btf__resolve_size(b, m->type);
    e.bitfield = width > 0;
    e.bits = e.bitfield ? width : static_cast<std::uint64_t>(std::max<long long>(size, 0)) * 8;
    e.name = name_of(b, m->name_off);
    e.type_id = m->type;
    if (!btf_is_union(t) && e.bit_offset > end) {
      add_gap(out, layout_entry::kind::hole, end, e.bit_offset);
      ++summary.holes;
      summary.hole_bits += e.bit_offset - end;
    }
    if (const btf_type *inner = anonymous_composite(b, *m)) {
      e.anonymous_union = btf_is_union(inner);
      e.type = e.anonymous_union ? "union" : "struct";
      if (!e.name.empty()) ++summary.members;
      lay_out_members(b, inner, e.bit_offset, c, e.members, summary, false);
    } else {
      e.type = c.declare(m->type);
      e.declaration = c.declare(m->type, e.name);
      if (e.bitfield) e.declaration += ":" + std::to_string(width);
      ++summary.members;
    }
    end = std::max(end, e.bit_offset + e.bits);
    out.push_back(std::move(e));
  }
  const std::uint64_t limit = base + static_cast<std::uint64_t>(t->size) * 8;
  if (limit > end) {
    add_gap(out, outermost ? layout_entry::kind::padding : layout_entry::kind::hole, end, limit);
    if (outermost) {
      summary.padding_bits = limit - end;
    } else {
      ++summary.holes;
      summary.hole_bits += limit - end;
    }
  }
}

void lay_out_section(const btf *b, const btf_type *t, const c_declarations &c, type_layout &layout) {
  const btf_var_secinfo *v = btf_var_secinfos(t);
  std::uint64_t end = 0;
  // Before libbpf or a linker fixes them up, offsets and the size are 0:
  // then there are no holes to tell.
  const bool placed = t->size > 0;
  for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++v) {
    const btf_type *var = btf__type_by_id(b, v->type);
    if (!var) continue;
    layout_entry e;
    e.bit_offset = static_cast<std::uint64_t>(v->offset) * 8;
    e.bits = static_cast<std::uint64_t>(v->size) * 8;
    e.name = name_of(b, var);
    e.type_id = btf_is_var(var) ? var->type : v->type;
    e.type = c.declare(e.type_id);
    e.declaration = c.declare(e.type_id, e.name);
    if (placed && e.bit_offset > end) {
      add_gap(layout.entries, layout_entry::kind::hole, end, e.bit_offset);
      ++layout.holes;
      layout.hole_bits += e.bit_offset - end;
    }
    end = std::max(end, e.bit_offset + e.bits);
    ++layout.members;
    layout.entries.push_back(std::move(e));
  }
  if (placed && static_cast<std::uint64_t>(t->size) * 8 > end) {
    add_gap(layout.entries, layout_entry::kind::padding, end, static_cast<std::uint64_t>(t->size) * 8);
    layout.padding_bits = static_cast<std::uint64_t>(t->size) * 8 - end;
  }
}

void lay_out_enum(const btf *b, const btf_type *t, type_layout &layout) {
  layout.what = type_layout::kind::enumeration;
  layout.is_signed = btf_kflag(t);
  for (std::uint32_t i = 0; i < btf_vlen(t); ++i) {
    if (btf_is_enum(t)) {
      const struct btf_enum *e = btf_enum(t) + i;
      const std::uint64_t v = layout.is_signed ? static_cast<std::uint64_t>(static_cast<std::int64_t>(e->val))
                                               : static_cast<std::uint32_t>(e->val);
      layout.values.push_back({name_of(b, e->name_off), v});
    } else {
      const struct btf_enum64 *e = btf_enum64(t) + i;
      layout.values.push_back({name_of(b, e->name_off), btf_enum64_value(e)});
    }
  }
}

std::string base_type_phrase(const btf_type *t) {
  if (btf_is_int(t)) {
    const std::uint8_t encoding = btf_int_encoding(t);
    std::string kind = encoding & BTF_INT_BOOL ? "bool" : encoding & BTF_INT_CHAR ? "char"
                       : encoding & BTF_INT_SIGNED ? "signed" : "unsigned";
    return bits_phrase(static_cast<std::uint64_t>(t->size) * 8) + ", " + kind;
  }
  return bits_phrase(static_cast<std::uint64_t>(t->size) * 8);
}

}  // namespace

type_layout lay_out(const btf *b, std::uint32_t id, const c_declarations &c) {
  type_layout layout;
  layout.type_id = id;
  const btf_type *t = btf__type_by_id(b, id);
  if (!t) {
    layout.title = layout.declaration = "type [" + std::to_string(id) + "] (not in this BTF)";
    return layout;
  }
  layout.name = name_of(b, t);
  const long long size = btf__resolve_size(b, id);
  layout.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
  const std::string name = layout.name.empty() ? "(anonymous)" : layout.name;

  const btf_type *body = t;
  if (btf_is_typedef(t)) {
    const btf_type *target = skip_mods(b, t->type);
    // typedef struct { ... } name_t: the anonymous body is the typedef's.
    if (target && (btf_is_composite(target) || btf_is_any_enum(target)) && !target->name_off) {
      body = target;
      layout.opening = std::string("typedef ") + detail::kind_word(target);
      layout.closing = " " + layout.name;
    }
  }
  layout.title = detail::spelled(b, id);
  if (btf_is_typedef(t)) layout.title = "typedef " + layout.name;

  if (btf_is_composite(body)) {
    layout.what = type_layout::kind::record;
    layout.is_union = btf_is_union(body);
    if (layout.opening.empty()) layout.opening = std::string(layout.is_union ? "union " : "struct ") + name;
    lay_out_members(b, body, 0, c, layout.entries, layout, true);
  } else if (btf_is_any_enum(body)) {
    if (layout.opening.empty()) layout.opening = "enum " + name;
    lay_out_enum(b, body, layout);
  } else if (btf_is_datasec(t)) {
    layout.what = type_layout::kind::section;
    layout.opening = "SEC(\"" + layout.name + "\")";
    layout.title = layout.opening;
    lay_out_section(b, t, c, layout);
  } else if (btf_is_typedef(t)) {
    layout.declaration = "typedef " + c.declare(t->type, layout.name);
  } else if (btf_is_int(t) || btf_is_float(t)) {
    layout.declaration = layout.name + ": " + base_type_phrase(t);
  } else if (btf_is_func(t)) {
    layout.declaration = c.declare(t->type, layout.name);
    // A function's linkage is kept in its vlen.
    const char *linkage = btf_vlen(t) == BTF_FUNC_GLOBAL   ? "global"
                          : btf_vlen(t) == BTF_FUNC_EXTERN ? "extern"
                                                           : "static";
    layout.declaration += std::string(";  /* ") + linkage + " function */";
    layout.size = 0;
  } else if (btf_is_fwd(t)) {
    layout.declaration = std::string(btf_kflag(t) ? "union " : "struct ") + name + ";  /* declared, not defined */";
  } else if (btf_is_var(t)) {
    layout.declaration = c.declare(t->type, layout.name);
  } else {
    layout.declaration = c.declare(id);
  }
  return layout;
}

namespace {

struct text_line {
  std::string code;     // indented declaration or brace
  std::string comment;  // "/* offset size */" or a hole/padding note; may be empty
  bool note = false;    // a comment line on its own (holes, padding)
};

std::string offset_text(const layout_entry &e) {
  if (e.bitfield) return std::to_string(e.bit_offset / 8) + ":" + std::to_string(e.bit_offset % 8);
  if (e.bit_offset % 8) return std::to_string(e.bit_offset / 8) + ":" + std::to_string(e.bit_offset % 8);
  return std::to_string(e.bit_offset / 8);
}

std::string size_text(const layout_entry &e) {
  if (e.bitfield) return std::to_string(e.bits) + (e.bits == 1 ? " bit" : " bits");
  return std::to_string(e.bits / 8);
}

std::string placement(const layout_entry &e) {
  std::string offset = offset_text(e), size = size_text(e);
  if (offset.size() < 6) offset.insert(0, 6 - offset.size(), ' ');
  if (size.size() < 6) size.insert(0, 6 - size.size(), ' ');
  return "/* " + offset + " " + size + " */";
}

void collect_lines(const std::vector<layout_entry> &entries, int depth, std::vector<text_line> &lines) {
  const std::string indent(static_cast<std::size_t>(depth) * 4, ' ');
  for (const layout_entry &e : entries) {
    switch (e.what) {
      case layout_entry::kind::hole:
        lines.push_back({indent + "/* XXX " + bits_phrase(e.bits) + " hole */", {}, true});
        break;
      case layout_entry::kind::padding:
        lines.push_back({indent + "/* XXX " + bits_phrase(e.bits) + " of padding */", {}, true});
        break;
      case layout_entry::kind::field:
        if (e.declaration.empty()) {
          lines.push_back({indent + e.type + " {", {}, false});
          collect_lines(e.members, depth + 1, lines);
          lines.push_back({indent + "}" + (e.name.empty() ? "" : " " + e.name) + ";", placement(e), false});
        } else {
          lines.push_back({indent + e.declaration + ";", placement(e), false});
        }
    }
  }
}

}  // namespace

std::string layout_text(const type_layout &layout) {
  if (layout.what == type_layout::kind::other) return layout.declaration + (layout.declaration.ends_with("*/") ? "\n" : ";\n");
  std::string out = layout.opening + " {\n";
  if (layout.what == type_layout::kind::enumeration) {
    for (const auto &v : layout.values) {
      const std::string value = layout.is_signed ? std::to_string(static_cast<std::int64_t>(v.value))
                                                 : std::to_string(v.value);
      out += "    " + v.name + " = " + value + ",\n";
    }
    out += "}" + layout.closing + ";  /* size: " + std::to_string(layout.size) + ", " +
           (layout.is_signed ? "signed" : "unsigned") + ", " + std::to_string(layout.values.size()) +
           (layout.values.size() == 1 ? " value" : " values") + " */\n";
    return out;
  }
  std::vector<text_line> lines;
  collect_lines(layout.entries, 1, lines);
  std::size_t width = 0;
  for (const text_line &l : lines)
    if (!l.note) width = std::max(width, l.code.size());
  width = std::min<std::size_t>(width, 64);
  for (const text_line &l : lines) {
    out += l.code;
    if (!l.comment.empty()) out += std::string(l.code.size() < width ? width - l.code.size() : 0, ' ') + "  " + l.comment;
    out += "\n";
  }
  out += "}" + layout.closing + ";  /* size: " + std::to_string(layout.size) + ", " +
         (layout.what == type_layout::kind::section ? "variables: " : "members: ") + std::to_string(layout.members);
  if (layout.holes)
    out += ", holes: " + std::to_string(layout.holes) + " (" + bits_phrase(layout.hole_bits) + ")";
  if (layout.padding_bits) out += ", padding: " + bits_phrase(layout.padding_bits);
  out += " */\n";
  return out;
}

namespace detail {

namespace {
void write_entries(json_writer &w, const std::vector<layout_entry> &entries) {
  w.begin_array();
  for (const layout_entry &e : entries) {
    w.begin_object();
    w.field("kind", e.what == layout_entry::kind::field     ? "field"
                    : e.what == layout_entry::kind::hole    ? "hole"
                                                            : "padding");
    if (e.what == layout_entry::kind::field) {
      w.field("name", e.name).field("type", e.type);
      if (!e.declaration.empty()) w.field("declaration", e.declaration);
    }
    w.field("offset", e.bit_offset / 8).field("size", e.what == layout_entry::kind::field && !e.bitfield ? e.bits / 8 : (e.bits + 7) / 8);
    w.field("bit_offset", e.bit_offset).field("bit_size", e.bits);
    if (e.bitfield) w.field("bitfield", true);
    if (!e.members.empty() || (e.what == layout_entry::kind::field && e.declaration.empty())) {
      w.key("members");
      write_entries(w, e.members);
    }
    w.end_object();
  }
  w.end_array();
}
}  // namespace

void write_layout_json(json_writer &w, const type_layout &layout) {
  w.begin_object();
  const char *kind = "other";
  switch (layout.what) {
    case type_layout::kind::record: kind = layout.is_union ? "union" : "struct"; break;
    case type_layout::kind::enumeration: kind = "enum"; break;
    case type_layout::kind::section: kind = "section"; break;
    case type_layout::kind::other: kind = "other"; break;
  }
  w.field("kind", kind).field("name", layout.name).field("title", layout.title).field("id", layout.type_id);
  w.field("size", layout.size);
  switch (layout.what) {
    case type_layout::kind::record:
    case type_layout::kind::section:
      w.key("members");
      write_entries(w, layout.entries);
      w.field("holes", static_cast<std::uint64_t>(layout.holes)).field("hole_bits", layout.hole_bits);
      w.field("padding_bits", layout.padding_bits);
      break;
    case type_layout::kind::enumeration:
      w.field("signed", layout.is_signed);
      w.key("values").begin_array();
      for (const auto &v : layout.values) {
        w.begin_object().field("name", v.name);
        if (layout.is_signed) w.field("value", static_cast<std::int64_t>(v.value));
        else w.field("value", v.value);
        w.end_object();
      }
      w.end_array();
      break;
    case type_layout::kind::other:
      w.field("declaration", layout.declaration);
      break;
  }
  w.end_object();
}

}  // namespace detail
}  // namespace bpfkit::inspect
