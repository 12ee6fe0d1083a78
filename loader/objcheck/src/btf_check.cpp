// Checks of raw BTF: layout (parse_btf), then content (check_btf_content).
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "btf_model.hpp"

namespace bpfkit::object_check {
namespace detail {

namespace {

constexpr std::size_t header_size = 24;     // struct btf_header, version 1
constexpr std::size_t type_header_size = 12;  // struct btf_type
constexpr std::uint32_t max_type_id = 0xfffff;  // the kernel's BTF_MAX_TYPE
constexpr std::uint32_t info_mask = 0x9f00ffff;  // kind_flag, kind, vlen
constexpr std::uint32_t max_composite_size = std::uint32_t{1} << 28;  // bits fit an int

problem btf_problem(std::string detail) { return {part::btf, std::move(detail)}; }

std::string bytes(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

bool is_struct_or_union(std::uint8_t kind) {
  return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION;
}

// Kinds that describe a C type (what a pointer, member or variable may have).
bool is_type_kind(std::uint8_t kind) {
  switch (kind) {
    case BTF_KIND_INT: case BTF_KIND_PTR: case BTF_KIND_ARRAY: case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC_PROTO: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
    case BTF_KIND_ENUM64:
      return true;
    default:
      return false;
  }
}

// Kinds the kernel requires a name for.
bool needs_name(std::uint8_t kind) {
  switch (kind) {
    case BTF_KIND_INT: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_FUNC:
    case BTF_KIND_VAR: case BTF_KIND_DATASEC: case BTF_KIND_FLOAT: case BTF_KIND_DECL_TAG:
    case BTF_KIND_TYPE_TAG:
      return true;
    default:
      return false;
  }
}

}  // namespace

const char *btf_kind_name(std::uint8_t kind) {
  static constexpr std::array<const char *, 20> names = {
      "UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
      "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT",
      "DECL_TAG", "TYPE_TAG", "ENUM64"};
  return kind < names.size() ? names[kind] : "UNKNOWN";
}

std::size_t btf_model::trailing_size(std::uint8_t kind, std::uint16_t vlen) {
  switch (kind) {
    case BTF_KIND_INT: return 4;
    case BTF_KIND_ARRAY: return 12;
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: return std::size_t{12} * vlen;
    case BTF_KIND_ENUM: return std::size_t{8} * vlen;
    case BTF_KIND_FUNC_PROTO: return std::size_t{8} * vlen;
    case BTF_KIND_VAR: return 4;
    case BTF_KIND_DATASEC: return std::size_t{12} * vlen;
    case BTF_KIND_DECL_TAG: return 4;
    case BTF_KIND_ENUM64: return std::size_t{12} * vlen;
    default: return 0;
  }
}

const btf_type_entry *btf_model::entry(std::uint32_t id) const {
  if (id == 0) return nullptr;
  if (id < first_id_) return base_->entry(id);
  return &entries_[id - first_id_];
}

std::uint8_t btf_model::kind(std::uint32_t id) const {
  const btf_type_entry *e = entry(id);
  return e ? e->kind : std::uint8_t{BTF_KIND_UNKN};
}

std::optional<std::string_view> btf_model::string_at(std::uint32_t offset) const {
  if (offset < first_string_) return base_->string_at(offset);
  const std::size_t at = offset - first_string_;
  if (at >= strings_.size()) return std::nullopt;
  // parse_btf made sure the section ends with NUL.
  auto *start = reinterpret_cast<const char *>(strings_.bytes().data() + at);
  return std::string_view(start);
}

std::string btf_model::describe(std::uint32_t id) const {
  std::string text = "[" + std::to_string(id) + "]";
  const btf_type_entry *e = entry(id);
  if (!e) return text + " void";
  text += " ";
  text += btf_kind_name(e->kind);
  auto name = string_at(e->name_off);
  if (name && !name->empty()) text += " " + quote(*name);
  return text;
}

byte_view btf_model::trailing(std::uint32_t id) const {
  if (id < first_id_) return base_->trailing(id);
  const btf_type_entry &e = entries_[id - first_id_];
  return types_.sub(e.offset + type_header_size, trailing_size(e.kind, e.vlen));
}

result parse_btf(std::span<const std::byte> raw, const btf_model *base, const limits &limits,
                 btf_model &out) {
  if (raw.size() > limits.max_btf_size)
    return btf_problem(bytes(raw.size()) + " of BTF, more than the limit of " +
                       bytes(limits.max_btf_size));
  if (raw.size() < header_size)
    return btf_problem(bytes(raw.size()) + ", shorter than the " + bytes(header_size) + " header");
  const auto b0 = static_cast<std::uint8_t>(raw[0]), b1 = static_cast<std::uint8_t>(raw[1]);
  bool big_endian;
  if (b0 == 0x9f && b1 == 0xeb) big_endian = false;
  else if (b0 == 0xeb && b1 == 0x9f) big_endian = true;
  else return btf_problem("no BTF magic 0xeb9f at the start");
  byte_view whole(raw, big_endian);

  if (whole.u8(2) != 1)
    return btf_problem("version " + std::to_string(whole.u8(2)) + ", only version 1 exists");
  if (whole.u8(3) != 0) return btf_problem("unknown header flags " + std::to_string(whole.u8(3)));
  const std::uint32_t hdr_len = whole.u32(4);
  if (hdr_len < header_size || hdr_len > raw.size())
    return btf_problem("header length " + std::to_string(hdr_len) + " is not between " +
                       std::to_string(header_size) + " and the data size " +
                       std::to_string(raw.size()));
  for (std::size_t i = header_size; i < hdr_len; ++i)
    if (whole.u8(i) != 0)
      return btf_problem("the header has unknown non-zero fields past byte " +
                         std::to_string(header_size));
  const std::uint32_t type_off = whole.u32(8), type_len = whole.u32(12);
  const std::uint32_t str_off = whole.u32(16), str_len = whole.u32(20);
  byte_view data = whole.sub(hdr_len, raw.size() - hdr_len);
  if (!data.fits(type_off, type_len))
    return btf_problem("the type section (offset " + std::to_string(type_off) + ", " +
                       bytes(type_len) + ") runs past the end of the data (" +
                       bytes(data.size()) + " after the header)");
  if (!data.fits(str_off, str_len))
    return btf_problem("the string section (offset " + std::to_string(str_off) + ", " +
                       bytes(str_len) + ") runs past the end of the data (" +
                       bytes(data.size()) + " after the header)");
  if (type_off % 4 != 0)
    return btf_problem("the type section starts at offset " + std::to_string(type_off) +
                       ", not a multiple of 4");
  if (std::uint64_t{type_off} + type_len > str_off)
    return btf_problem("the type section overlaps or follows the string section");

  out = btf_model{};
  out.base_ = base;
  out.types_ = data.sub(type_off, type_len);
  out.strings_ = data.sub(str_off, str_len);
  if (base) {
    out.first_id_ = base->end_id();
    out.first_string_ = base->first_string_ + static_cast<std::uint32_t>(base->strings_.size());
  }
  if (str_len == 0 && !base) return btf_problem("the string section is empty");
  if (str_len > 0 && out.strings_.u8(str_len - 1) != 0)
    return btf_problem("the string section does not end with a NUL byte");
  if (!base && out.strings_.u8(0) != 0)
    return btf_problem("the string section does not start with the empty string");

  const byte_view &types = out.types_;
  std::size_t at = 0;
  while (at < types.size()) {
    const std::uint32_t id = out.end_id();
    if (id > max_type_id)
      return btf_problem("more than " + std::to_string(max_type_id) + " types");
    if (!types.fits(at, type_header_size))
      return btf_problem("type [" + std::to_string(id) + "] at offset " + std::to_string(at) +
                         " is cut off by the end of the type section");
    const std::uint32_t info = types.u32(at + 4);
    btf_type_entry e{static_cast<std::uint32_t>(at), types.u32(at), types.u32(at + 8),
                     static_cast<std::uint16_t>(info & 0xffff),
                     static_cast<std::uint8_t>((info >> 24) & 0x1f), (info >> 31) != 0};
    if (e.kind == BTF_KIND_UNKN || e.kind > BTF_KIND_ENUM64)
      return btf_problem("type [" + std::to_string(id) + "] has the unknown kind " +
                         std::to_string(e.kind));
    if (info & ~info_mask)
      return btf_problem("type [" + std::to_string(id) + "] " + btf_kind_name(e.kind) +
                         " sets reserved bits of its info field");
    const std::size_t size = type_header_size + btf_model::trailing_size(e.kind, e.vlen);
    if (!types.fits(at, size))
      return btf_problem("type [" + std::to_string(id) + "] " + btf_kind_name(e.kind) +
                         " with " + std::to_string(e.vlen) + " entries runs past the end of the"
                         " type section");
    out.entries_.push_back(e);
    at += size;
  }
  return std::nullopt;
}

namespace {

// The checks of one type's own fields and of the kinds of what it refers to.
class type_checker {
 public:
  type_checker(const btf_model &model) : m_(model) {}

  result check(std::uint32_t id) {
    const btf_type_entry &e = *m_.entry(id);
    if (auto p = check_name(id, "its name", e.name_off, needs_name(e.kind))) return p;
    const byte_view rest = m_.trailing(id);
    switch (e.kind) {
      case BTF_KIND_INT: return check_int(id, e, rest.u32(0));
      case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT: case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG:
        if (e.vlen) return fail(id, "has a non-zero vlen");
        return check_ref(id, "refers to", e.size_or_type, allow_void);
      case BTF_KIND_FWD:
        if (e.vlen) return fail(id, "has a non-zero vlen");
        return std::nullopt;
      case BTF_KIND_ARRAY:
        if (e.vlen) return fail(id, "has a non-zero vlen");
        if (auto p = check_ref(id, "has the element type", rest.u32(0), no_function)) return p;
        return check_ref(id, "has the index type", rest.u32(4), 0);
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: return check_members(id, e, rest);
      case BTF_KIND_ENUM: case BTF_KIND_ENUM64: return check_enum(id, e, rest);
      case BTF_KIND_FUNC:
        if (e.vlen > 2) return fail(id, "has the unknown linkage " + std::to_string(e.vlen));
        if (m_.has_type(e.size_or_type) && m_.kind(e.size_or_type) != BTF_KIND_FUNC_PROTO)
          return fail(id, "refers to " + m_.describe(e.size_or_type) + ", not a FUNC_PROTO");
        return check_ref(id, "refers to", e.size_or_type, 0);
      case BTF_KIND_FUNC_PROTO: return check_params(id, e, rest);
      case BTF_KIND_VAR:
        if (e.vlen) return fail(id, "has a non-zero vlen");
        if (rest.u32(0) > 2) return fail(id, "has the unknown linkage " + std::to_string(rest.u32(0)));
        return check_ref(id, "has the type", e.size_or_type, no_function);
      case BTF_KIND_DATASEC: return check_datasec(id, e, rest);
      case BTF_KIND_FLOAT:
        if (e.vlen) return fail(id, "has a non-zero vlen");
        if (e.size_or_type != 2 && e.size_or_type != 4 && e.size_or_type != 8 &&
            e.size_or_type != 12 && e.size_or_type != 16)
          return fail(id, "has the size " + std::to_string(e.size_or_type) +
                              " (a float has 2, 4, 8, 12 or 16 bytes)");
        return std::nullopt;
      case BTF_KIND_DECL_TAG: return check_decl_tag(id, e, rest);
    }
    return fail(id, "has an unknown kind");  // parse_btf refused these already
  }

 private:
  static constexpr unsigned allow_void = 1, no_function = 2;

  result fail(std::uint32_t id, const std::string &what) const {
    return btf_problem("type " + m_.describe(id) + " " + what);
  }

  result check_name(std::uint32_t id, const char *what, std::uint32_t offset, bool required) const {
    auto name = m_.string_at(offset);
    if (!name)
      return btf_problem("type [" + std::to_string(id) + "] " + btf_kind_name(m_.kind(id)) + ": " +
                         what + " is at string offset " + std::to_string(offset) +
                         ", past the end of the strings");
    if (required && name->empty()) return fail(id, std::string("has no name (") + what + " is empty)");
    return std::nullopt;
  }

  result check_ref(std::uint32_t id, const char *what, std::uint32_t target, unsigned flags) const {
    if (!m_.has_type(target))
      return fail(id, std::string(what) + " type " + std::to_string(target) +
                          ", past the last type [" + std::to_string(m_.end_id() - 1) + "]");
    if (target == 0) {
      if (flags & allow_void) return std::nullopt;
      return fail(id, std::string(what) + " void");
    }
    const std::uint8_t kind = m_.kind(target);
    if (!is_type_kind(kind) || ((flags & no_function) && kind == BTF_KIND_FUNC_PROTO))
      return fail(id, std::string(what) + " " + m_.describe(target) + ", which is not a data type");
    return std::nullopt;
  }

  result check_int(std::uint32_t id, const btf_type_entry &e, std::uint32_t data) const {
    if (e.vlen) return fail(id, "has a non-zero vlen");
    const std::uint32_t size = e.size_or_type;
    if (size != 1 && size != 2 && size != 4 && size != 8 && size != 16)
      return fail(id, "has the size " + std::to_string(size) + " (an integer has 1, 2, 4, 8 or 16 bytes)");
    const std::uint32_t bits = data & 0xff, offset = (data >> 16) & 0xff, encoding = (data >> 24) & 0xf;
    if (bits > 128 || offset + bits > 128 || (bits + 7) / 8 > size)
      return fail(id, "has " + std::to_string(bits) + " bits at bit offset " +
                          std::to_string(offset) + ", more than its " + bytes(size) + " hold");
    if (encoding != 0 && encoding != BTF_INT_SIGNED && encoding != BTF_INT_CHAR &&
        encoding != BTF_INT_BOOL)
      return fail(id, "has the unknown encoding " + std::to_string(encoding));
    return std::nullopt;
  }

  result check_members(std::uint32_t id, const btf_type_entry &e, const byte_view &rest) const {
    // libbpf (btf_dump, btf__align_of) computes bit offsets in an int.
    if (e.size_or_type >= max_composite_size)
      return fail(id, "has the size " + std::to_string(e.size_or_type) + ", more than " +
                          bytes(max_composite_size - 1) + " (no struct or union is that large)");
    const std::uint64_t size_bits = std::uint64_t{e.size_or_type} * 8;
    for (std::uint32_t i = 0; i < e.vlen; ++i) {
      const std::size_t at = std::size_t{12} * i;
      const std::string member = "member " + std::to_string(i);
      if (auto p = check_name(id, (member + "'s name").c_str(), rest.u32(at), false)) return p;
      if (auto p = check_ref(id, (member + " has the type").c_str(), rest.u32(at + 4), no_function))
        return p;
      if (auto unsized = unsized_part(rest.u32(at + 4)))
        return fail(id, member + " has the type " + m_.describe(rest.u32(at + 4)) + ", which has no size (it is " +
                            (*unsized == 0 ? std::string("void") : m_.describe(*unsized)) +
                            "): a member must have a size");
      const std::uint32_t offset = rest.u32(at + 8);
      const std::uint64_t bit_offset = e.kind_flag ? (offset & 0xffffff) : offset;
      const std::uint64_t bit_size = e.kind_flag ? (offset >> 24) : 0;
      if (bit_offset + bit_size > size_bits)
        return fail(id, member + " starts at bit " + std::to_string(bit_offset) +
                            ", past the end of the " + bytes(e.size_or_type) + " type");
    }
    return std::nullopt;
  }

  // What leaves a member's type without a size, following typedefs,
  // modifiers and array elements: void, a forward declaration, or a kind
  // that is no data. The kernel refuses such members, and libbpf's
  // btf__align_of says 0 for them, which btf_dump divides by. Nothing when
  // the type is sized (or the chain is too long to judge here: the
  // reference walk reports cycles).
  std::optional<std::uint32_t> unsized_part(std::uint32_t id) const {
    for (std::uint32_t hops = 0; hops < 4096; ++hops) {
      if (id == 0) return id;
      // A dangling reference further down is that type's own problem: its
      // check names it (and describing it here would read past the types).
      if (!m_.has_type(id)) return std::nullopt;
      switch (m_.kind(id)) {
        case BTF_KIND_INT: case BTF_KIND_PTR: case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
          return std::nullopt;
        case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
          id = m_.entry(id)->size_or_type;
          break;
        case BTF_KIND_ARRAY:
          id = m_.trailing(id).u32(0);
          break;
        default:
          return id;
      }
    }
    return std::nullopt;
  }

  result check_enum(std::uint32_t id, const btf_type_entry &e, const byte_view &rest) const {
    const std::uint32_t size = e.size_or_type;
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return fail(id, "has the size " + std::to_string(size) + " (an enum has 1, 2, 4 or 8 bytes)");
    const std::size_t stride = e.kind == BTF_KIND_ENUM ? 8 : 12;
    for (std::uint32_t i = 0; i < e.vlen; ++i) {
      const std::string value = "value " + std::to_string(i) + "'s name";
      if (auto p = check_name(id, value.c_str(), rest.u32(stride * i), true)) return p;
    }
    return std::nullopt;
  }

  result check_params(std::uint32_t id, const btf_type_entry &e, const byte_view &rest) const {
    if (auto p = check_ref(id, "returns", e.size_or_type, allow_void)) return p;
    for (std::uint32_t i = 0; i < e.vlen; ++i) {
      const std::string param = "parameter " + std::to_string(i);
      if (auto p = check_name(id, (param + "'s name").c_str(), rest.u32(8 * i), false)) return p;
      const std::uint32_t type = rest.u32(8 * i + 4);
      // A void parameter marks varargs (`...`): only as the last, unnamed one.
      const bool varargs = type == 0 && i + 1 == e.vlen && rest.u32(8 * i) == 0;
      if (auto p = check_ref(id, (param + " has the type").c_str(), type, varargs ? allow_void : 0))
        return p;
    }
    return std::nullopt;
  }

  result check_datasec(std::uint32_t id, const btf_type_entry &e, const byte_view &rest) const {
    for (std::uint32_t i = 0; i < e.vlen; ++i) {
      const std::uint32_t var = rest.u32(12 * i);
      const std::string entry = "entry " + std::to_string(i);
      if (!m_.has_type(var) || (m_.kind(var) != BTF_KIND_VAR && m_.kind(var) != BTF_KIND_FUNC))
        return fail(id, entry + " refers to " +
                            (m_.has_type(var) ? m_.describe(var) : "type " + std::to_string(var)) +
                            ", not a VAR or FUNC");
      if (std::uint64_t{rest.u32(12 * i + 4)} + rest.u32(12 * i + 8) > UINT32_MAX)
        return fail(id, entry + "'s offset and size overflow");
    }
    return std::nullopt;
  }

  result check_decl_tag(std::uint32_t id, const btf_type_entry &e, const byte_view &rest) const {
    if (e.vlen) return fail(id, "has a non-zero vlen");
    const std::uint32_t target = e.size_or_type;
    if (!m_.has_type(target) || target == 0)
      return fail(id, "tags type " + std::to_string(target) + ", which does not exist");
    const std::uint8_t kind = m_.kind(target);
    const auto component = static_cast<std::int32_t>(rest.u32(0));
    std::int64_t components = 0;
    if (is_struct_or_union(kind)) {
      components = m_.entry(target)->vlen;
    } else if (kind == BTF_KIND_FUNC) {
      const std::uint32_t proto = m_.entry(target)->size_or_type;
      if (m_.has_type(proto) && m_.kind(proto) == BTF_KIND_FUNC_PROTO) components = m_.entry(proto)->vlen;
    } else if (kind != BTF_KIND_VAR && kind != BTF_KIND_TYPEDEF) {
      return fail(id, "tags " + m_.describe(target) + " (tags apply to structs, unions, "
                      "functions, variables and typedefs)");
    }
    if (component < -1 || component >= components)
      return fail(id, "tags component " + std::to_string(component) + " of " + m_.describe(target) +
                          ", which has " + std::to_string(components));
    return std::nullopt;
  }

  const btf_model &m_;
};

// Type references, read as BTF consumers follow them: btf_dump, and every
// consumer that lays types out, walks from a type to what it refers to, and
// stops only at a named struct or union reached through a pointer (which C
// can forward-declare). Nodes are (type, reached through a pointer); a cycle
// among them recurses forever, a long path recurses that deep.
class reference_walk {
 public:
  reference_walk(const btf_model &model, const limits &limits)
      : m_(model), limits_(limits), state_(std::size_t{model.end_id()} * 2, unvisited),
        depth_(std::size_t{model.end_id()} * 2, 0) {}

  result run() {
    for (std::uint32_t id = m_.first_id(); id < m_.end_id(); ++id)
      if (auto p = walk_from(node(id, false))) return p;
    return std::nullopt;
  }

 private:
  enum : std::uint8_t { unvisited, on_path, done };
  struct frame {
    std::uint32_t node;
    std::uint32_t next_edge = 0;
    std::uint32_t deepest_below = 0;
  };

  static std::uint32_t node(std::uint32_t id, bool through_pointer) {
    return id * 2 + (through_pointer ? 1 : 0);
  }

  std::uint32_t edge_count(const btf_type_entry &e, bool through_pointer) const {
    switch (e.kind) {
      case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG: case BTF_KIND_FUNC: case BTF_KIND_VAR:
      case BTF_KIND_DECL_TAG:
        return 1;
      case BTF_KIND_ARRAY: return 2;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        // Through a pointer, a named struct needs only its name.
        return through_pointer && e.name_off != 0 && !m_.string_at(e.name_off)->empty() ? 0 : e.vlen;
      case BTF_KIND_FUNC_PROTO: return 1u + e.vlen;
      case BTF_KIND_DATASEC: return e.vlen;
      default: return 0;
    }
  }

  // The `index`th edge of `e`: the type it leads to, and whether through a pointer.
  std::uint32_t edge(std::uint32_t id, const btf_type_entry &e, bool through_pointer,
                     std::uint32_t index) const {
    const byte_view rest = m_.trailing(id);
    switch (e.kind) {
      case BTF_KIND_PTR: return node(e.size_or_type, true);
      case BTF_KIND_ARRAY: return node(rest.u32(index == 0 ? 0 : 4), false);
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: return node(rest.u32(12 * index + 4), false);
      case BTF_KIND_FUNC_PROTO:
        return node(index == 0 ? e.size_or_type : rest.u32(8 * (index - 1) + 4), through_pointer);
      case BTF_KIND_DATASEC: return node(rest.u32(12 * index), through_pointer);
      default: return node(e.size_or_type, through_pointer);
    }
  }

  result walk_from(std::uint32_t root) {
    if (state_[root] != unvisited) return std::nullopt;
    path_.clear();
    path_.push_back({root});
    state_[root] = on_path;
    while (!path_.empty()) {
      frame &top = path_.back();
      const btf_type_entry &e = *m_.entry(top.node / 2);
      const bool through_pointer = top.node % 2;
      if (top.next_edge < edge_count(e, through_pointer)) {
        const std::uint32_t next = edge(top.node / 2, e, through_pointer, top.next_edge++);
        if (next / 2 == 0) continue;  // void
        if (state_[next] == on_path) return cycle(next);
        if (state_[next] == done) {
          top.deepest_below = std::max(top.deepest_below, depth_[next]);
        } else {
          // A path longer than the limit is deeper than the limit: stop early.
          if (path_.size() >= limits_.max_type_depth) return too_deep(path_.front().node);
          state_[next] = on_path;
          path_.push_back({next});
        }
        continue;
      }
      const std::uint32_t depth = top.deepest_below + 1;
      if (depth > limits_.max_type_depth) return too_deep(top.node);
      depth_[top.node] = depth;
      state_[top.node] = done;
      path_.pop_back();
      if (!path_.empty()) path_.back().deepest_below = std::max(path_.back().deepest_below, depth);
    }
    return std::nullopt;
  }

  result too_deep(std::uint32_t from) const {
    return btf_problem("type " + m_.describe(from / 2) + " nests more than " +
                       std::to_string(limits_.max_type_depth) + " levels of types");
  }

  result cycle(std::uint32_t back_to) const {
    std::size_t start = path_.size();
    while (start > 0 && path_[start - 1].node != back_to) --start;
    std::string text;
    constexpr std::size_t shown = 8;
    for (std::size_t i = start - 1; i < path_.size(); ++i) {
      if (i - (start - 1) == shown) {
        text += " -> ...";
        break;
      }
      text += (text.empty() ? "" : " -> ") + m_.describe(path_[i].node / 2);
    }
    text += " -> [" + std::to_string(back_to / 2) + "]";
    return btf_problem("type " + m_.describe(back_to / 2) + " refers to itself: " + text +
                       " (a cycle must pass through a pointer to a named struct or union)");
  }

  const btf_model &m_;
  const limits &limits_;
  std::vector<std::uint8_t> state_;
  std::vector<std::uint32_t> depth_;
  std::vector<frame> path_;
};

// How many lines of C the BTF takes when rendered as btf_dump (and
// bpfkit-skel) render it: a named type's definition once, an anonymous
// struct, union or enum in full wherever it is used, padding as one field
// per 8 bytes. Runs after reference_walk, so the types it follows (all but
// named definitions) form no cycle. Saturates at the limit.
class rendering_size {
 public:
  rendering_size(const btf_model &model, const limits &limits)
      : m_(model), limit_(limits.max_c_lines), inline_(model.end_id(), unknown) {}

  result run() {
    for (std::uint32_t id = m_.first_id(); id < m_.end_id(); ++id)
      if (auto p = bit_layout_problem(id)) return p;
    std::uint64_t total = 0, largest = 0;
    std::uint32_t largest_id = 0;
    for (std::uint32_t id = m_.first_id(); id < m_.end_id() && total <= limit_; ++id) {
      const btf_type_entry &e = *m_.entry(id);
      if (!named(e)) continue;
      std::uint64_t cost = 0;
      switch (e.kind) {
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: cost = definition(id); break;
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64: cost = 2 + std::uint64_t{e.vlen}; break;
        case BTF_KIND_TYPEDEF: cost = add(1, written(e.size_or_type)); break;
        default: cost = 1;
      }
      if (cost >= largest) {
        largest = cost;
        largest_id = id;
      }
      total = add(total, cost);
      if (total > limit_)
        return btf_problem("written as C it would take more than " + std::to_string(limit_) +
                           " lines, " + (largest > limit_ ? "more than that" : std::to_string(largest)) +
                           " of them for " + m_.describe(largest_id) +
                           " (anonymous types are written out wherever they are used, padding "
                           "as one field per 8 bytes)");
    }
    return std::nullopt;
  }

 private:
  static constexpr std::uint64_t unknown = ~std::uint64_t{0};

  std::uint64_t add(std::uint64_t a, std::uint64_t b) const {
    return a > limit_ || b > limit_ - std::min(a, limit_) ? limit_ + 1 : a + b;
  }

  bool named(const btf_type_entry &e) const {
    auto name = m_.string_at(e.name_off);
    return name && !name->empty();
  }

  // btf_dump (libbpf 1.1) keeps a struct's bit positions in an int: past
  // 2^31 bits (256 MiB) they wrap, and the "padding" it then writes before
  // the next member runs to hundreds of millions of lines.
  result bit_layout_problem(std::uint32_t id) const {
    const btf_type_entry &e = *m_.entry(id);
    if (e.kind != BTF_KIND_STRUCT && e.kind != BTF_KIND_UNION) return std::nullopt;
    constexpr std::uint64_t max_bits = 0x7fffffff;
    if (8 * std::uint64_t{e.size_or_type} > max_bits)
      return btf_problem(m_.describe(id) + " is " + std::to_string(e.size_or_type) +
                         " bytes, more than the 256 MiB a C rendering (btf_dump) can lay out");
    const byte_view rest = m_.trailing(id);
    for (std::uint32_t i = 0; i < e.vlen; ++i) {
      const std::uint32_t type = rest.u32(12 * i + 4), offset = rest.u32(12 * i + 8);
      const std::uint64_t bit_offset = e.kind_flag ? (offset & 0xffffff) : offset;
      const std::uint64_t bits = e.kind_flag && (offset >> 24) ? (offset >> 24) : 8 * byte_size(type);
      if (bit_offset + bits > max_bits)
        return btf_problem("member " + std::to_string(i) + " of " + m_.describe(id) + " ends at bit " +
                           std::to_string(bit_offset + bits) +
                           ", beyond the 2^31 bits (256 MiB) a C rendering (btf_dump) can lay out");
    }
    return std::nullopt;
  }

  // Lines of a struct or union's body: members, what is inlined in them,
  // and padding (btf_dump writes a field per 8 bytes of a gap, and up to
  // two more to align).
  std::uint64_t definition(std::uint32_t id) {
    const btf_type_entry &e = *m_.entry(id);
    const byte_view rest = m_.trailing(id);
    std::uint64_t cost = 2;
    std::uint64_t end = 0;  // in bits, of the members so far
    for (std::uint32_t i = 0; i < e.vlen && cost <= limit_; ++i) {
      const std::uint32_t type = rest.u32(12 * i + 4), offset = rest.u32(12 * i + 8);
      const std::uint64_t bit_offset = e.kind_flag ? (offset & 0xffffff) : offset;
      const std::uint64_t bits = e.kind_flag && (offset >> 24) ? (offset >> 24) : 8 * byte_size(type);
      if (bit_offset > end) cost = add(cost, 2 + (bit_offset - end) / 64);
      end = std::max(end, bit_offset + bits);
      cost = add(cost, add(1, written(type)));
    }
    const std::uint64_t size_bits = 8 * std::uint64_t{e.size_or_type};
    if (size_bits > end) cost = add(cost, 2 + (size_bits - end) / 64);
    return cost;
  }

  // The size of a type in bytes, as btf__resolve_size computes it (the
  // chain it follows has no cycle and is at most max_type_depth long).
  std::uint64_t byte_size(std::uint32_t id) const {
    std::uint64_t elements = 1;
    for (std::uint32_t hops = 0; id != 0 && hops <= max_type_id; ++hops) {
      const btf_type_entry &e = *m_.entry(id);
      switch (e.kind) {
        case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC:
          return saturated_product(elements, e.size_or_type);
        case BTF_KIND_PTR: return saturated_product(elements, 8);
        case BTF_KIND_ARRAY:
          elements = saturated_product(elements, m_.trailing(id).u32(8));
          id = m_.trailing(id).u32(0);
          break;
        case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
          id = e.size_or_type;
          break;
        default: return 0;
      }
    }
    return 0;
  }

  static std::uint64_t saturated_product(std::uint64_t a, std::uint64_t b) {
    constexpr std::uint64_t cap = std::uint64_t{1} << 40;  // far beyond any limit
    return (b != 0 && a > cap / b) ? cap : a * b;
  }

  // Lines that writing a declaration of type `id` adds (0 when it is written
  // by name), computed without recursion: the chain to what is inlined is
  // walked on an explicit stack.
  std::uint64_t written(std::uint32_t root) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // (id, next edge)
    auto known = [&](std::uint32_t id) { return id == 0 || inline_[id] != unknown; };
    if (known(root)) return root == 0 ? 0 : inline_[root];
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto &[id, next] = stack.back();
      const btf_type_entry &e = *m_.entry(id);
      const std::uint32_t count = edges(e);
      if (next < count) {
        const std::uint32_t target = edge(id, e, next++);
        if (!known(target)) stack.push_back({target, 0});
        continue;
      }
      std::uint64_t cost = 0;
      if (by_name(e)) {
        cost = 0;
      } else if (is_struct_or_union(e.kind)) {
        cost = definition(id);  // its members' costs are known now
      } else if (e.kind == BTF_KIND_ENUM || e.kind == BTF_KIND_ENUM64) {
        cost = 2 + std::uint64_t{e.vlen};
      } else {
        for (std::uint32_t i = 0; i < count && cost <= limit_; ++i) {
          const std::uint32_t target = edge(id, e, i);
          cost = add(cost, target == 0 ? 0 : inline_[target]);
        }
      }
      inline_[id] = std::min(cost, limit_ + 1);
      stack.pop_back();
    }
    return inline_[root];
  }

  // Whether a declaration writes `e` by its name alone.
  bool by_name(const btf_type_entry &e) const {
    return named(e) && (is_struct_or_union(e.kind) || e.kind == BTF_KIND_ENUM ||
                        e.kind == BTF_KIND_ENUM64 || e.kind == BTF_KIND_TYPEDEF ||
                        e.kind == BTF_KIND_FWD);
  }

  // The types a declaration of `e` writes in full.
  std::uint32_t edges(const btf_type_entry &e) const {
    if (by_name(e)) return 0;
    switch (e.kind) {
      case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG: case BTF_KIND_ARRAY: case BTF_KIND_TYPEDEF:
        return 1;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: return e.vlen;
      case BTF_KIND_FUNC_PROTO: return 1u + e.vlen;
      default: return 0;
    }
  }

  std::uint32_t edge(std::uint32_t id, const btf_type_entry &e, std::uint32_t index) const {
    const byte_view rest = m_.trailing(id);
    switch (e.kind) {
      case BTF_KIND_ARRAY: return rest.u32(0);
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: return rest.u32(12 * index + 4);
      case BTF_KIND_FUNC_PROTO: return index == 0 ? e.size_or_type : rest.u32(8 * (index - 1) + 4);
      default: return e.size_or_type;
    }
  }

  const btf_model &m_;
  std::uint64_t limit_;
  std::vector<std::uint64_t> inline_;
};

}  // namespace

result check_btf_content(const btf_model &model, const limits &limits) {
  type_checker types(model);
  for (std::uint32_t id = model.first_id(); id < model.end_id(); ++id)
    if (auto p = types.check(id)) return p;
  if (auto p = reference_walk(model, limits).run()) return p;
  return rendering_size(model, limits).run();
}

}  // namespace detail

result check_btf(std::span<const std::byte> btf, const limits &limits) {
  detail::btf_model model;
  if (auto p = detail::parse_btf(btf, nullptr, limits, model)) return p;
  return detail::check_btf_content(model, limits);
}

result check_split_btf(std::span<const std::byte> btf, std::span<const std::byte> base,
                       const limits &limits) {
  detail::btf_model base_model, model;
  if (auto p = detail::parse_btf(base, nullptr, limits, base_model)) {
    p->detail = "the base BTF: " + p->detail;
    return p;
  }
  if (auto p = detail::check_btf_content(base_model, limits)) {
    p->detail = "the base BTF: " + p->detail;
    return p;
  }
  if (auto p = detail::parse_btf(btf, &base_model, limits, model)) return p;
  return detail::check_btf_content(model, limits);
}

}  // namespace bpfkit::object_check
