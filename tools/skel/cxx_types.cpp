#include "cxx_types.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "tool_error.hpp"

namespace bpfkit::skel {

using tools::tool_error;

namespace {

std::uint64_t round_up(std::uint64_t value, std::uint64_t align) {
  return align <= 1 ? value : (value + align - 1) / align * align;
}
std::uint64_t bytes_for_bits(std::uint64_t bits) { return (bits + 7) / 8; }

std::string indent(int depth) { return std::string(static_cast<std::size_t>(depth) * 2, ' '); }

// One member as BTF describes it (or one variable of a DATASEC).
struct member_desc {
  std::string c_name;
  std::uint32_t type = 0;
  std::uint64_t bit_offset = 0;
  std::uint32_t bitfield = 0;  // width; 0 when not a bit-field
};

// One line of a C++ class body that reproduces a BTF layout.
struct layout_item {
  enum class kind { field, bitfield, pad_bytes, pad_bits, anonymous };
  kind k = kind::field;
  member_desc member;
  std::uint64_t count = 0;        // pad_bytes: bytes; pad_bits: bits
  std::uint64_t byte_offset = 0;  // within the enclosing struct/union
  // kind::anonymous: the inline struct/union's own layout
  bool inner_union = false;
  bool inner_packed = false;
  std::vector<layout_item> inner;
  // assigned when the class is emitted
  std::string name;
  std::string nested_type;
};

struct layout {
  bool is_union = false;
  bool packed = false;
  std::uint64_t size = 0;   // the BTF size
  std::uint64_t align = 1;  // of the C++ class as emitted
  std::vector<layout_item> items;
};

struct plan_failure {};

// How a type reference is spelled at one place of the header.
struct spell_context {
  bool in_types_namespace = true;
  // Class scopes enclosing the place, innermost last: an unqualified name
  // that one of them declares would find that member instead of the type.
  std::vector<const name_scope *> scopes;
};

}  // namespace

struct cxx_types::impl {
  const btf &types;
  std::string ns;
  std::string qualifier;  // "::<ns>::types::"
  std::string path;

  std::vector<std::pair<std::uint32_t, std::string>> roots;
  std::set<std::uint32_t> reachable;
  std::map<std::uint32_t, std::string> names;  // types declared at namespace scope
  std::set<std::uint32_t> elided;              // typedefs spelled as their target
  std::map<std::uint32_t, std::string> origins;  // what an anonymous top-level type is
  name_scope scope;
  mutable std::map<std::uint32_t, layout> layouts;
  bool finalized = false;

  impl(const btf &t, std::string n, std::string p)
      : types(t), ns(std::move(n)), qualifier("::" + ns + "::types::"), path(std::move(p)) {}

  // --- BTF access --------------------------------------------------------

  const btf_type *type(std::uint32_t id) const {
    const btf_type *t = btf__type_by_id(&types, id);
    if (!t)
      throw tool_error(path, "BTF refers to type " + std::to_string(id) +
                                 ", which does not exist (corrupt BTF)");
    return t;
  }
  std::string c_name(std::uint32_t id) const {
    const char *name = btf__name_by_offset(&types, type(id)->name_off);
    return name ? name : "";
  }
  std::uint32_t skip_mods(std::uint32_t id) const {
    while (id != 0 && btf_is_mod(type(id))) id = type(id)->type;
    return id;
  }
  std::uint32_t skip_mods_typedefs(std::uint32_t id) const {
    while (id != 0 && (btf_is_mod(type(id)) || btf_is_typedef(type(id)))) id = type(id)->type;
    return id;
  }
  // Qualifiers and array dimensions stripped, typedefs kept.
  std::uint32_t core(std::uint32_t id) const {
    id = skip_mods(id);
    while (id != 0 && btf_is_array(type(id))) id = skip_mods(btf_array(type(id))->type);
    return id;
  }
  bool is_composite(std::uint32_t id) const { return id != 0 && btf_is_composite(type(id)); }
  bool is_any_enum(std::uint32_t id) const { return id != 0 && btf_is_any_enum(type(id)); }
  bool is_anonymous_named_kind(std::uint32_t id) const {
    return (is_composite(id) || is_any_enum(id)) && c_name(id).empty();
  }

  std::string describe(std::uint32_t id) const;  // C spelling, for comments

  [[noreturn]] void unsupported(std::uint32_t id, const std::string &what) const {
    throw tool_error(path, "cannot represent " + describe(id) + " (BTF type " +
                               std::to_string(id) + ") in C++: " + what);
  }

  std::uint64_t size_of(std::uint32_t id) const {
    long long size = btf__resolve_size(&types, id);
    if (size < 0) unsupported(id, "it has no size");
    return static_cast<std::uint64_t>(size);
  }

  // Alignment of the C++ type the header declares for `id`.
  std::uint64_t align_of(std::uint32_t id) const {
    id = skip_mods(id);
    if (id == 0) unsupported(id, "void has no layout");
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return t->size;
      case BTF_KIND_PTR:
        return 8;
      case BTF_KIND_TYPEDEF:
        return align_of(t->type);
      case BTF_KIND_ARRAY:
        return align_of(btf_array(t)->type);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return layout_of(id).align;
      default:
        unsupported(id, "it cannot be stored by value");
    }
  }

  // --- layouts -----------------------------------------------------------

  std::vector<member_desc> members_of(std::uint32_t id) const {
    const btf_type *t = type(id);
    std::vector<member_desc> members;
    const btf_member *m = btf_members(t);
    for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
      member_desc d;
      const char *name = btf__name_by_offset(&types, m->name_off);
      d.c_name = name ? name : "";
      d.type = m->type;
      d.bit_offset = btf_member_bit_offset(t, i);
      d.bitfield = btf_member_bitfield_size(t, i);
      if (d.bitfield == 0 && !btf_kflag(t)) {
        // Old-style bit-fields: the width is in the member's INT type.
        std::uint32_t base = skip_mods(d.type);
        const btf_type *bt = base ? type(base) : nullptr;
        if (bt && btf_is_int(bt) && btf_int_bits(bt) != bt->size * 8u) {
          d.bitfield = btf_int_bits(bt);
          d.bit_offset += btf_int_offset(bt);
        }
      }
      members.push_back(std::move(d));
    }
    return members;
  }

  const layout &layout_of(std::uint32_t id) const {
    auto it = layouts.find(id);
    if (it != layouts.end()) return it->second;
    const btf_type *t = type(id);
    layout l = plan(members_of(id), btf_is_union(t), t->size, false, id);
    return layouts.emplace(id, std::move(l)).first->second;
  }

  layout plan(const std::vector<member_desc> &members, bool is_union, std::uint64_t size,
              bool short_tail_ok, std::uint32_t id) const {
    try {
      return try_plan(members, is_union, size, false, short_tail_ok);
    } catch (const plan_failure &) {
    }
    try {
      return try_plan(members, is_union, size, true, short_tail_ok);
    } catch (const plan_failure &) {
    }
    if (id) unsupported(id, "its member offsets match no C++ layout");
    throw tool_error(path, "cannot lay out a global data section in C++");
  }

  layout_item item_for(const member_desc &m, std::uint64_t byte_offset) const {
    layout_item item;
    item.member = m;
    item.byte_offset = byte_offset;
    if (m.bitfield) {
      item.k = layout_item::kind::bitfield;
    } else if (m.c_name.empty()) {
      std::uint32_t inner = skip_mods(m.type);
      const layout &l = layout_of(inner);
      item.k = layout_item::kind::anonymous;
      item.inner_union = l.is_union;
      item.inner_packed = l.packed;
      item.inner = l.items;
    }
    return item;
  }

  static layout_item pad_bytes(std::uint64_t byte_offset, std::uint64_t count) {
    layout_item item;
    item.k = layout_item::kind::pad_bytes;
    item.byte_offset = byte_offset;
    item.count = count;
    return item;
  }
  static layout_item pad_bits(std::uint64_t count) {
    layout_item item;
    item.k = layout_item::kind::pad_bits;
    item.count = count;
    return item;
  }

  // Lays the members out the way the SysV ABI (x86-64, arm64 and BPF alike)
  // places them in C++, inserting explicit padding wherever the BTF offset is
  // further than the natural one. Throws plan_failure when the BTF offsets
  // cannot be reached this way (then the type is packed).
  layout try_plan(const std::vector<member_desc> &members, bool is_union, std::uint64_t size,
                  bool packed, bool short_tail_ok) const {
    layout l;
    l.is_union = is_union;
    l.packed = packed;
    l.size = size;
    std::uint64_t align = 1;
    std::uint64_t pos = 0;        // struct: next free bit
    std::uint64_t max_bytes = 0;  // union: largest member
    for (const auto &m : members) {
      if (!m.bitfield && m.c_name.empty() && !is_composite(skip_mods(m.type)))
        continue;  // an unnamed non-aggregate member: left to padding
      if (m.bitfield) {
        std::uint32_t base = skip_mods_typedefs(m.type);
        if (!base || !(btf_is_int(type(base)) || btf_is_any_enum(type(base))))
          unsupported(base, "bit-field of a non-integer type");
        std::uint64_t unit_bytes = type(base)->size;
        std::uint64_t unit = unit_bytes * 8;
        std::uint64_t a = packed ? 1 : unit_bytes;
        if (is_union) {
          if (m.bit_offset != 0) throw plan_failure{};
          max_bytes = std::max(max_bytes, bytes_for_bits(m.bitfield));
          l.items.push_back(item_for(m, 0));
        } else {
          std::uint64_t natural = pos;
          if (!packed && pos / unit != (pos + m.bitfield - 1) / unit) natural = round_up(pos, unit);
          std::uint64_t off = m.bit_offset;
          if (off < natural) throw plan_failure{};
          if (off > natural) {
            while (pos < off) {
              if (pos % 8) {
                std::uint64_t step = std::min(off - pos, 8 - pos % 8);
                l.items.push_back(pad_bits(step));
                pos += step;
              } else if (off - pos >= 8) {
                std::uint64_t n = (off - pos) / 8;
                l.items.push_back(pad_bytes(pos / 8, n));
                pos += n * 8;
              } else {
                l.items.push_back(pad_bits(off - pos));
                pos = off;
              }
            }
            if (!packed && off / unit != (off + m.bitfield - 1) / unit) throw plan_failure{};
          }
          l.items.push_back(item_for(m, off / 8));
          pos = off + m.bitfield;
        }
        align = std::max(align, a);
        continue;
      }
      std::uint64_t s = size_of(m.type);
      std::uint64_t a = packed ? 1 : align_of(m.type);
      if (m.bit_offset % 8) throw plan_failure{};
      std::uint64_t target = m.bit_offset / 8;
      if (is_union) {
        if (target != 0) throw plan_failure{};
        max_bytes = std::max(max_bytes, s);
        l.items.push_back(item_for(m, 0));
      } else {
        std::uint64_t start = bytes_for_bits(pos);
        std::uint64_t natural = round_up(start, a);
        if (target < natural) throw plan_failure{};
        if (target > natural) {
          if (target % a) throw plan_failure{};
          l.items.push_back(pad_bytes(start, target - start));
        }
        l.items.push_back(item_for(m, target));
        pos = (target + s) * 8;
      }
      align = std::max(align, a);
    }
    std::uint64_t end = is_union ? max_bytes : bytes_for_bits(pos);
    std::uint64_t natural_size = packed ? end : round_up(end, align);
    if (size < natural_size) {
      if (!short_tail_ok || packed) throw plan_failure{};
    } else if (size > natural_size) {
      if (!packed && size % align) throw plan_failure{};
      if (is_union)
        l.items.push_back(pad_bytes(0, size));
      else
        l.items.push_back(pad_bytes(end, size - end));
    }
    l.align = packed ? 1 : align;
    return l;
  }

  // --- reachability and names ---------------------------------------------

  void visit(std::uint32_t id) {
    while (id != 0 && reachable.insert(id).second) {
      const btf_type *t = type(id);
      switch (btf_kind(t)) {
        case BTF_KIND_CONST:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VAR:
          id = t->type;
          continue;
        case BTF_KIND_ARRAY:
          id = btf_array(t)->type;
          continue;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
          const btf_member *m = btf_members(t);
          for (std::uint32_t i = 0; i < btf_vlen(t); ++i) visit(m[i].type);
          return;
        }
        default:  // pointers are opaque; ints, floats, enums are leaves
          return;
      }
    }
  }

  static const char *kind_suffix(const btf_type *t) {
    switch (btf_kind(t)) {
      case BTF_KIND_STRUCT: return "struct";
      case BTF_KIND_UNION: return "union";
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: return "enum";
      default: return "typedef";
    }
  }

  void finalize() {
    for (const auto &[id, name] : roots) visit(id);
    // Named types and typedefs first, in BTF ID order.
    for (std::uint32_t id : reachable) {
      const btf_type *t = type(id);
      std::string name = c_name(id);
      if ((btf_is_composite(t) || btf_is_any_enum(t)) && !name.empty()) {
        names[id] = scope.claim(name, kind_suffix(t));
      } else if (btf_is_typedef(t)) {
        std::uint32_t target = skip_mods(t->type);
        const btf_type *tt = target ? type(target) : nullptr;
        if (target && is_anonymous_named_kind(target) && !names.count(target)) {
          names[target] = scope.claim(name, "typedef");  // typedef struct {...} name;
          origins[target] = "named by typedef " + comment_text(name);
          elided.insert(id);
        } else if (target && (btf_is_composite(tt) || btf_is_any_enum(tt)) &&
                   c_name(target) == name) {
          elided.insert(id);  // typedef struct foo foo;
        } else if (tt && (btf_is_int(tt) || btf_is_float(tt)) && is_cxx_keyword(name)) {
          elided.insert(id);  // typedef _Bool bool;
        } else if (target == 0 || (tt && btf_is_func_proto(tt))) {
          elided.insert(id);  // only reachable through pointers; never by value
        } else {
          names[id] = scope.claim(name, "typedef");
        }
      }
    }
    // Anonymous roots, named after their use.
    for (const auto &[id, anonymous_name] : roots) {
      std::uint32_t c = core(id);
      if (c && is_anonymous_named_kind(c) && !names.count(c)) {
        names[c] = scope.claim(anonymous_name, kind_suffix(type(c)));
        origins[c] = "named after its use";
      }
    }
    finalized = true;
  }

  // --- spelling ------------------------------------------------------------

  std::string qualify(const std::string &name, const spell_context &ctx) const {
    if (!ctx.in_types_namespace) return qualifier + name;
    for (const name_scope *s : ctx.scopes)
      if (s->taken(name)) return qualifier + name;
    return name;
  }

  std::string int_spelling(std::uint32_t id) const {
    const btf_type *t = type(id);
    unsigned encoding = btf_int_encoding(t);
    if (encoding & BTF_INT_BOOL) {
      if (t->size != 1) unsupported(id, "a bool that is not 1 byte");
      return "bool";
    }
    if (c_name(id) == "char" && t->size == 1) return "char";
    bool is_signed = encoding & BTF_INT_SIGNED;
    switch (t->size) {
      case 1: return is_signed ? "::std::int8_t" : "::std::uint8_t";
      case 2: return is_signed ? "::std::int16_t" : "::std::uint16_t";
      case 4: return is_signed ? "::std::int32_t" : "::std::uint32_t";
      case 8: return is_signed ? "::std::int64_t" : "::std::uint64_t";
      case 16: return is_signed ? "__int128" : "unsigned __int128";
      default: unsupported(id, "an integer of " + std::to_string(t->size) + " bytes");
    }
  }

  static std::string sized_int(std::uint64_t size, bool is_signed) {
    switch (size) {
      case 1: return is_signed ? "::std::int8_t" : "::std::uint8_t";
      case 2: return is_signed ? "::std::int16_t" : "::std::uint16_t";
      case 4: return is_signed ? "::std::int32_t" : "::std::uint32_t";
      default: return is_signed ? "::std::int64_t" : "::std::uint64_t";
    }
  }

  bool enum_is_signed(std::uint32_t id) const {
    const btf_type *t = type(id);
    if (btf_kflag(t)) return true;
    if (btf_is_enum(t)) {
      const struct btf_enum *e = btf_enum(t);
      for (std::uint32_t i = 0; i < btf_vlen(t); ++i)
        if (e[i].val < 0) return true;
    }
    return false;
  }

  std::string enum_underlying(std::uint32_t id) const {
    const btf_type *t = type(id);
    if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
      unsupported(id, "an enum of " + std::to_string(t->size) + " bytes");
    return sized_int(t->size, enum_is_signed(id));
  }

  std::string spell(std::uint32_t id, const spell_context &ctx) const {
    id = skip_mods(id);
    if (id == 0) return "void";
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
        return int_spelling(id);
      case BTF_KIND_FLOAT:
        switch (t->size) {
          case 4: return "float";
          case 8: return "double";
          case 16: return "long double";
          default: unsupported(id, "a float of " + std::to_string(t->size) + " bytes");
        }
      case BTF_KIND_PTR:
        return "::std::uint64_t";
      case BTF_KIND_TYPEDEF:
        if (elided.count(id)) return spell(t->type, ctx);
        return qualify(names.at(id), ctx);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        auto it = names.find(id);
        if (it == names.end())
          throw std::logic_error("anonymous type " + std::to_string(id) + " has no name here");
        return qualify(it->second, ctx);
      }
      case BTF_KIND_FWD:
        unsupported(id, "it is only declared, not defined, in the BPF object");
      default:
        unsupported(id, "it cannot be stored by value");
    }
  }

  // "T name[2][3]", with `base` instead of the element type's spelling when
  // given (a nested type).
  std::string declarator(std::uint32_t id, const std::string &name, const spell_context &ctx,
                         const std::string &base = {}) const {
    std::string dims;
    std::uint32_t cur = skip_mods(id);
    while (cur != 0 && btf_is_array(type(cur))) {
      dims += "[" + std::to_string(btf_array(type(cur))->nelems) + "]";
      cur = skip_mods(btf_array(type(cur))->type);
    }
    std::string text = (base.empty() ? spell(cur, ctx) : base);
    if (!name.empty()) text += " " + name;
    return text + dims;
  }

  std::string pointer_comment(std::uint32_t id) const {
    std::uint32_t c = core(id);
    std::uint32_t resolved = skip_mods_typedefs(c);
    if (resolved != 0 && btf_is_ptr(type(resolved)))
      return "  // BPF pointer: " + describe(resolved);
    return {};
  }

  // --- emission --------------------------------------------------------------

  // A struct/union of size 0 (C allows them; kernel types have some). A C++
  // class is never smaller than 1 byte, so members of such a type are declared
  // [[no_unique_address]]: they take no room, but their own offset is not
  // checked (the compiler may put them anywhere).
  bool is_empty_class(std::uint32_t id) const {
    std::uint32_t resolved = skip_mods_typedefs(id);
    return resolved != 0 && btf_is_composite(type(resolved)) && type(resolved)->size == 0;
  }

  void claim_members(std::vector<layout_item> &items, name_scope &s) const {
    for (auto &item : items) {
      if (item.k == layout_item::kind::anonymous)
        claim_members(item.inner, s);
      else if (item.k == layout_item::kind::field || item.k == layout_item::kind::bitfield)
        item.name = s.claim(item.member.c_name);
    }
  }
  void claim_nested(std::vector<layout_item> &items, name_scope &s,
                    std::vector<std::pair<std::string, std::uint32_t>> &nested) const {
    for (auto &item : items) {
      if (item.k == layout_item::kind::anonymous) {
        claim_nested(item.inner, s, nested);
      } else if (item.k == layout_item::kind::field) {
        std::uint32_t c = core(item.member.type);
        if (c && is_anonymous_named_kind(c) && !names.count(c)) {
          item.nested_type = s.claim(item.name + "_t");
          nested.emplace_back(item.nested_type, c);
        }
      }
    }
  }
  void claim_padding(std::vector<layout_item> &items, name_scope &s) const {
    for (auto &item : items) {
      if (item.k == layout_item::kind::anonymous)
        claim_padding(item.inner, s);
      else if (item.k == layout_item::kind::pad_bytes)
        item.name = s.claim("pad_" + std::to_string(item.byte_offset) + "_");
    }
  }

  void emit_items(std::string &out, int depth, const std::vector<layout_item> &items,
                  const spell_context &ctx) const {
    for (const auto &item : items) {
      switch (item.k) {
        case layout_item::kind::field:
          out += indent(depth) + (is_empty_class(item.member.type) ? "[[no_unique_address]] " : "") +
                 declarator(item.member.type, item.name, ctx, item.nested_type) + ";" +
                 pointer_comment(item.member.type) + "\n";
          break;
        case layout_item::kind::bitfield: {
          std::uint32_t base = skip_mods_typedefs(item.member.type);
          std::string spelling, comment;
          if (btf_is_any_enum(type(base))) {
            spelling = enum_underlying(base);
            comment = "  // " + describe(base) + " (bit-fields of enum type are declared as "
                      "its underlying type)";
          } else {
            spelling = spell(item.member.type, ctx);
          }
          out += indent(depth) + spelling + " " + item.name + " : " +
                 std::to_string(item.member.bitfield) + ";" + comment + "\n";
          break;
        }
        case layout_item::kind::pad_bytes:
          out += indent(depth) + "::std::uint8_t " + item.name + "[" + std::to_string(item.count) +
                 "];  // padding\n";
          break;
        case layout_item::kind::pad_bits:
          out += indent(depth) + "::std::uint8_t : " + std::to_string(item.count) +
                 ";  // padding\n";
          break;
        case layout_item::kind::anonymous:
          out += indent(depth) + (item.inner_union ? "union " : "struct ") +
                 (item.inner_packed ? "__attribute__((packed)) " : "") + "{\n";
          emit_items(out, depth + 1, item.inner, ctx);
          out += indent(depth) + "};\n";
          break;
      }
    }
  }

  void offset_asserts(const std::vector<layout_item> &items, std::uint64_t base,
                      const std::string &qualified, std::vector<std::string> &asserts) const {
    for (const auto &item : items) {
      if (item.k == layout_item::kind::anonymous)
        offset_asserts(item.inner, base + item.byte_offset, qualified, asserts);
      else if (item.k == layout_item::kind::field && !is_empty_class(item.member.type))
        asserts.push_back("static_assert(offsetof(" + qualified + ", " + item.name +
                          ") == " + std::to_string(base + item.byte_offset) + ");");
    }
  }

  void emit_enum(std::string &out, int depth, const std::string &name, std::uint32_t id,
                 std::vector<std::string> &asserts, const std::string &qualified) const {
    const btf_type *t = type(id);
    bool is_signed = enum_is_signed(id);
    out += indent(depth) + "enum class " + name + " : " + enum_underlying(id) + " {\n";
    name_scope enumerators;
    for (std::uint32_t i = 0; i < btf_vlen(t); ++i) {
      std::string enumerator;
      std::string value;
      if (btf_is_enum(t)) {
        const struct btf_enum &e = btf_enum(t)[i];
        enumerator = btf__name_by_offset(&types, e.name_off);
        value = is_signed ? std::to_string(e.val)
                          : std::to_string(static_cast<std::uint32_t>(e.val));
      } else {
        const struct btf_enum64 &e = btf_enum64(t)[i];
        enumerator = btf__name_by_offset(&types, e.name_off);
        std::uint64_t v = btf_enum64_value(&e);
        if (!is_signed) {
          value = std::to_string(v) + (v > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? "u" : "");
        } else if (static_cast<std::int64_t>(v) == std::numeric_limits<std::int64_t>::min()) {
          value = "-9223372036854775807 - 1";
        } else {
          value = std::to_string(static_cast<std::int64_t>(v));
        }
      }
      out += indent(depth + 1) + enumerators.claim(enumerator) + " = " + value + ",\n";
    }
    out += indent(depth) + "};\n";
    asserts.push_back("static_assert(sizeof(" + qualified + ") == " + std::to_string(t->size) +
                      ");");
  }

  void emit_class(std::string &out, int depth, const std::string &name,
                  const std::string &qualified, layout l, const spell_context &outer,
                  std::vector<std::string> &asserts, bool size_assert = true) const {
    name_scope s;
    s.reserve(name);
    claim_members(l.items, s);
    std::vector<std::pair<std::string, std::uint32_t>> nested;
    claim_nested(l.items, s, nested);
    claim_padding(l.items, s);
    spell_context ctx = outer;
    ctx.scopes.push_back(&s);

    std::vector<std::string> own_asserts;
    out += indent(depth) + (l.is_union ? "union " : "struct ") +
           (l.packed ? "__attribute__((packed)) " : "") + name + " {\n";
    for (const auto &[nested_name, id] : nested) {
      std::string nested_qualified = qualified + "::" + nested_name;
      if (is_any_enum(id))
        emit_enum(out, depth + 1, nested_name, id, asserts, nested_qualified);
      else
        emit_class(out, depth + 1, nested_name, nested_qualified, layout_of(id), ctx, asserts);
    }
    emit_items(out, depth + 1, l.items, ctx);
    out += indent(depth) + "};\n";
    if (size_assert && l.size != 0)
      asserts.push_back("static_assert(sizeof(" + qualified + ") == " + std::to_string(l.size) +
                        ");");
    offset_asserts(l.items, 0, qualified, asserts);
  }

  // Top-level types needed by value by `id` (through anonymous parts too).
  void collect_dependencies(std::uint32_t id, std::vector<std::uint32_t> &out) const {
    id = skip_mods(id);
    if (id == 0) return;
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_TYPEDEF:
        if (elided.count(id))
          collect_dependencies(t->type, out);
        else
          out.push_back(id);
        return;
      case BTF_KIND_ARRAY:
        collect_dependencies(btf_array(t)->type, out);
        return;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (names.count(id)) {
          out.push_back(id);
        } else if (btf_is_composite(t)) {
          const btf_member *m = btf_members(t);
          for (std::uint32_t i = 0; i < btf_vlen(t); ++i) collect_dependencies(m[i].type, out);
        }
        return;
      default:
        return;
    }
  }

  std::vector<std::uint32_t> own_dependencies(std::uint32_t id) const {
    std::vector<std::uint32_t> deps;
    const btf_type *t = type(id);
    if (btf_is_typedef(t)) {
      collect_dependencies(t->type, deps);
    } else if (btf_is_composite(t)) {
      const btf_member *m = btf_members(t);
      for (std::uint32_t i = 0; i < btf_vlen(t); ++i) collect_dependencies(m[i].type, deps);
    }
    return deps;
  }

  void emit_top_level(std::string &out, std::uint32_t id) const {
    const btf_type *t = type(id);
    const std::string &name = names.at(id);
    std::string comment = describe(id);
    auto origin = origins.find(id);
    if (origin != origins.end()) comment = "anonymous " + std::string(kind_suffix(t)) + " (" + origin->second + ")";
    out += "// " + comment + "\n";
    std::vector<std::string> asserts;
    spell_context ctx;
    if (btf_is_typedef(t)) {
      std::uint32_t target = skip_mods(t->type);
      out += "using " + name + " = " + declarator(target, "", ctx) + ";" +
             pointer_comment(target) + "\n";
      if (!(target && btf_is_ptr(type(target))) && size_of(target) != 0)
        asserts.push_back("static_assert(sizeof(" + name + ") == " +
                          std::to_string(size_of(target)) + ");");
    } else if (btf_is_any_enum(t)) {
      emit_enum(out, 0, name, id, asserts, name);
    } else {
      emit_class(out, 0, name, name, layout_of(id), ctx, asserts);
    }
    for (const auto &a : asserts) out += a + "\n";
    out += "\n";
  }

  std::string definitions() const {
    std::string out;
    std::set<std::uint32_t> done;
    std::set<std::uint32_t> in_progress;
    auto emit = [&](auto &self, std::uint32_t id) -> void {
      if (done.count(id)) return;
      if (!in_progress.insert(id).second)
        throw tool_error(path, describe(id) + " contains itself by value (corrupt BTF)");
      for (std::uint32_t dep : own_dependencies(id)) self(self, dep);
      in_progress.erase(id);
      done.insert(id);
      emit_top_level(out, id);
    };
    for (const auto &[id, name] : names) emit(emit, id);
    return out;
  }

  // --- sections ------------------------------------------------------------

  std::vector<member_desc> section_variables(const data_section &section) const {
    const btf_type *t = type(section.datasec);
    std::vector<member_desc> vars;
    const btf_var_secinfo *v = btf_var_secinfos(t);
    for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++v) {
      const btf_type *var = type(v->type);
      if (!btf_is_var(var) || btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED) continue;
      if (v->size == 0) continue;
      member_desc d;
      d.c_name = btf__name_by_offset(&types, var->name_off);
      d.type = var->type;
      d.bit_offset = std::uint64_t(v->offset) * 8;
      vars.push_back(std::move(d));
    }
    std::stable_sort(vars.begin(), vars.end(), [](const member_desc &a, const member_desc &b) {
      return a.bit_offset < b.bit_offset;
    });
    return vars;
  }
};

// C spelling of a type, for comments.
std::string cxx_types::impl::describe(std::uint32_t id) const {
  if (id == 0) return "void";
  const btf_type *t = btf__type_by_id(&types, id);
  if (!t) return "type " + std::to_string(id);
  // Safe in a comment, where describe() mostly ends up.
  std::string name = comment_text(c_name(id));
  switch (btf_kind(t)) {
    case BTF_KIND_CONST: return "const " + describe(t->type);
    case BTF_KIND_VOLATILE: return "volatile " + describe(t->type);
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG: return describe(t->type);
    case BTF_KIND_PTR: {
      std::uint32_t target = t->type;
      std::uint32_t stripped = target;
      while (stripped && btf_is_mod(type(stripped))) stripped = type(stripped)->type;
      if (stripped && btf_is_func_proto(type(stripped))) return "function pointer";
      return describe(target) + " *";
    }
    case BTF_KIND_ARRAY:
      return describe(btf_array(t)->type) + "[" + std::to_string(btf_array(t)->nelems) + "]";
    case BTF_KIND_STRUCT: return "struct " + (name.empty() ? "(anonymous)" : name);
    case BTF_KIND_UNION: return "union " + (name.empty() ? "(anonymous)" : name);
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: return "enum " + (name.empty() ? "(anonymous)" : name);
    case BTF_KIND_FWD: return (btf_kflag(t) ? "union " : "struct ") + name;
    case BTF_KIND_TYPEDEF: return "typedef " + name;
    case BTF_KIND_FUNC_PROTO: return "function";
    default: return name.empty() ? "type " + std::to_string(id) : name;
  }
}

cxx_types::cxx_types(const btf &types, std::string ns, std::string path)
    : impl_(std::make_unique<impl>(types, std::move(ns), std::move(path))) {}
cxx_types::~cxx_types() = default;

void cxx_types::add_root(std::uint32_t id, const std::string &anonymous_name) {
  if (impl_->finalized) throw std::logic_error("cxx_types: add_root after finalize");
  impl_->roots.emplace_back(id, anonymous_name);
}

void cxx_types::finalize() { impl_->finalize(); }

std::string cxx_types::definitions() const { return impl_->definitions(); }

std::string cxx_types::value_type(std::uint32_t id) const {
  const impl &i = *impl_;
  id = i.skip_mods(id);
  std::uint32_t resolved = i.skip_mods_typedefs(id);
  if (resolved != 0 && btf_is_array(i.type(resolved))) {
    const struct btf_array *a = btf_array(i.type(resolved));
    return "::std::array<" + value_type(a->type) + ", " + std::to_string(a->nelems) + ">";
  }
  spell_context outside;
  outside.in_types_namespace = false;
  return i.spell(id, outside);
}

bool cxx_types::section_has_variables(const data_section &section) const {
  return !impl_->section_variables(section).empty();
}

void cxx_types::add_section_roots(const data_section &section) {
  for (const auto &var : impl_->section_variables(section)) add_root(var.type, var.c_name + "_t");
}

std::string cxx_types::section_struct(const data_section &section,
                                      const std::string &struct_name) const {
  const impl &i = *impl_;
  std::vector<member_desc> vars = i.section_variables(section);
  if (vars.empty()) return {};
  layout l = i.plan(vars, false, section.size, true, 0);
  std::string out =
      "// " + comment_text(section.elf_name) + ": its global variables at their offsets\n";
  std::vector<std::string> asserts;
  spell_context ctx;
  ctx.in_types_namespace = false;
  i.emit_class(out, 0, struct_name, struct_name, std::move(l), ctx, asserts, false);
  for (const auto &a : asserts) out += a + "\n";
  return out;
}

}  // namespace bpfkit::skel
