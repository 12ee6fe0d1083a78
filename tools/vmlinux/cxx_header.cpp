#include "cxx_header.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "tool_error.hpp"

namespace bpfkit::tools {

namespace {

// C++20 keywords and alternative tokens: C names that C++ cannot spell.
constexpr std::string_view cxx_keywords[] = {
    "alignas",      "alignof",    "and",         "and_eq",    "asm",           "auto",
    "bitand",       "bitor",      "bool",        "break",     "case",          "catch",
    "char",         "char16_t",   "char32_t",    "char8_t",   "class",         "co_await",
    "co_return",    "co_yield",   "compl",       "concept",   "const",         "const_cast",
    "consteval",    "constexpr",  "constinit",   "continue",  "decltype",      "default",
    "delete",       "do",         "double",      "dynamic_cast", "else",       "enum",
    "explicit",     "export",     "extern",      "false",     "float",         "for",
    "friend",       "goto",       "if",          "inline",    "int",           "long",
    "mutable",      "namespace",  "new",         "noexcept",  "not",           "not_eq",
    "nullptr",      "operator",   "or",          "or_eq",     "private",       "protected",
    "public",       "register",   "reinterpret_cast", "requires", "return",    "short",
    "signed",       "sizeof",     "static",      "static_assert", "static_cast", "struct",
    "switch",       "template",   "this",        "thread_local", "throw",      "true",
    "try",          "typedef",    "typeid",      "typename",  "union",         "unsigned",
    "using",        "virtual",    "void",        "volatile",  "wchar_t",       "while",
    "xor",          "xor_eq",
};

// Also clang's own names: the kernel's `typedef ... __builtin_va_list[1]`
// is not the BPF target's `void *`.
bool is_keyword(std::string_view name) {
  return std::find(std::begin(cxx_keywords), std::end(cxx_keywords), name) !=
             std::end(cxx_keywords) ||
         name.starts_with("__builtin_");
}

// C's `typedef _Bool bool;`: C++ has bool built in, with the same size. (The
// kernel's wchar_t is 2 bytes, C++'s 4: it is renamed like a keyword.)
bool is_builtin_type_name(std::string_view name) { return name == "bool"; }

// Kernel ABI: program contexts of include/uapi/linux/bpf.h, the register
// frame of kprobe/uprobe contexts, and wire-format packet headers.
constexpr std::string_view stable_records[] = {
    "__sk_buff",        "xdp_md",           "bpf_sock",          "bpf_sock_addr",
    "bpf_sock_ops",     "sk_msg_md",        "sk_reuseport_md",   "bpf_sk_lookup",
    "bpf_flow_keys",    "bpf_sysctl",       "bpf_sockopt",       "bpf_cgroup_dev_ctx",
    "bpf_raw_tracepoint_args", "bpf_perf_event_data", "bpf_perf_event_value",
    "bpf_sock_tuple",   "bpf_tcp_sock",     "bpf_xdp_sock",      "bpf_fib_lookup",
    "bpf_tunnel_key",   "bpf_xfrm_state",   "bpf_pidns_info",    "bpf_redir_neigh",
    "pt_regs",          "user_pt_regs",     "user_regs_struct",
    "ethhdr",           "vlan_hdr",         "vlan_ethhdr",       "arphdr",
    "iphdr",            "ipv6hdr",          "in6_addr",          "ipv6_opt_hdr",
    "frag_hdr",         "tcphdr",           "udphdr",            "icmphdr",
    "icmp6hdr",         "gre_base_hdr",     "sctphdr",
};

constexpr std::uint32_t bits_per_byte = 8;

std::uint32_t round_up(std::uint32_t value, std::uint32_t unit) {
  return unit == 0 ? value : (value + unit - 1) / unit * unit;
}

// How one struct or union is written so that C++ lays it out as its BTF says.
struct record_plan {
  bool packed = false;
  std::uint32_t align = 1;                 // alignment of the C++ type
  std::vector<std::uint32_t> pad_before;   // padding bits before each member
  std::uint32_t trailing_bits = 0;         // padding bits after the last member (struct)
  bool union_filler = false;               // a filler member gives the union its size
};

// Naming context of a record body: the member names declared in it, which
// hide global typedef and enumerator names inside it (`u32 u32;`).
struct body_scope {
  std::set<std::string> member_names;
};

class renderer {
 public:
  renderer(const btf &b, std::string source) : btf_(b), source_(std::move(source)) {
    count_ = btf__type_cnt(&btf_);
    names_.resize(count_);
    keyword_c_name_.resize(count_);
    plans_.resize(count_);
    state_.resize(count_, state::pending);
    stable_.resize(count_, false);
  }

  std::string render() {
    resolve_names();
    write_prologue();
    write_forward_declarations();
    write_enums();
    out_ += "/* Types. */\n\n";
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if (btf_is_composite(t) && t->name_off != 0)
        emit_record(id);
      else if (btf_is_typedef(t))
        emit_typedef(id);
    }
    write_layout_checks();
    write_epilogue();
    return std::move(out_);
  }

 private:
  enum class state : std::uint8_t { pending, emitting, emitted };

  const btf_type *type(std::uint32_t id) const { return btf__type_by_id(&btf_, id); }
  std::string_view c_name(std::uint32_t id) const {
    const char *name = btf__name_by_offset(&btf_, type(id)->name_off);
    return name ? name : "";
  }
  std::string_view member_c_name(const btf_member &m) const {
    const char *name = btf__name_by_offset(&btf_, m.name_off);
    return name ? name : "";
  }
  std::string c_spelling(std::uint32_t id) const {
    return std::string(btf_is_union(type(id)) ? "union " : "struct ") + std::string(c_name(id));
  }
  [[noreturn]] void fail(const std::string &what) const {
    throw tool_error(source_, what, "report this kernel's BTF to bpfkit; C sources still compile");
  }

  std::uint32_t skip_modifiers(std::uint32_t id) const {
    while (id != 0) {
      const btf_type *t = type(id);
      if (!btf_is_mod(t) && !btf_is_type_tag(t)) break;
      id = t->type;
    }
    return id;
  }
  std::uint32_t skip_modifiers_and_typedefs(std::uint32_t id) const {
    while (id != 0) {
      const btf_type *t = type(id);
      if (!btf_is_mod(t) && !btf_is_type_tag(t) && !btf_is_typedef(t)) break;
      id = t->type;
    }
    return id;
  }

  // --- names ------------------------------------------------------------

  // Duplicate names get ___2, ___3... in ID order, as in bpftool's vmlinux.h,
  // so C and C++ sources mean the same type by the same name (CO-RE ignores
  // the ___N suffix). Then a C++ keyword gets a trailing '_'.
  void resolve_names() {
    std::unordered_map<std::string, int> tags, idents;
    auto unique = [](std::unordered_map<std::string, int> &seen, const std::string &name) {
      int n = ++seen[name];
      return n == 1 ? name : name + "___" + std::to_string(n);
    };
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      std::string name(c_name(id));
      if (name.empty()) continue;
      if (btf_is_composite(t) || ((btf_is_enum(t) || btf_is_enum64(t)) && btf_vlen(t) != 0))
        name = unique(tags, name);
      else if (btf_is_typedef(t))
        name = unique(idents, name);
      else if (!btf_is_fwd(t) && !btf_is_enum(t) && !btf_is_enum64(t))
        continue;
      if (btf_is_composite(t) || btf_is_fwd(t) || btf_is_enum(t) || btf_is_enum64(t) ||
          btf_is_typedef(t)) {
        if (is_keyword(name) && !(btf_is_typedef(t) && is_builtin_type_name(name))) {
          keyword_c_name_[id] = name;
          name += '_';
        }
        names_[id] = name;
        stable_[id] = btf_is_composite(t) &&
                      std::find(std::begin(stable_records), std::end(stable_records),
                                c_name(id)) != std::end(stable_records);
      }
      if (btf_is_enum(t) || btf_is_enum64(t)) {
        for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
          std::string enumerator(enumerator_c_name(t, i));
          if (is_bool_literal(t, i)) continue;
          enumerator = unique(idents, enumerator);
          if (is_keyword(enumerator)) enumerator += '_';
          enumerators_[id].push_back(enumerator);
        }
      }
    }
    // Anonymous enums: their enumerators are identifiers too.
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if ((!btf_is_enum(t) && !btf_is_enum64(t)) || t->name_off != 0) continue;
      for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
        if (is_bool_literal(t, i)) continue;
        std::string enumerator = unique(idents, std::string(enumerator_c_name(t, i)));
        if (is_keyword(enumerator)) enumerator += '_';
        enumerators_[id].push_back(enumerator);
      }
    }
    // C keeps tags and typedefs apart; C++ allows `typedef struct x x;` only.
    std::map<std::string, std::uint32_t> tag_ids;
    for (std::uint32_t id = 1; id < count_; ++id)
      if (!names_[id].empty() && !btf_is_typedef(type(id))) tag_ids.emplace(names_[id], id);
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if (!btf_is_typedef(t)) continue;
      auto tag = tag_ids.find(names_[id]);
      if (tag == tag_ids.end()) continue;
      std::uint32_t target = skip_modifiers(t->type);
      if (target != tag->second && names_[target] != names_[id]) names_[id] += "___typedef";
    }
  }

  std::string_view enumerator_c_name(const btf_type *t, std::uint16_t i) const {
    const char *name = btf__name_by_offset(
        &btf_, btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off);
    return name ? name : "";
  }
  long long enumerator_value(const btf_type *t, std::uint16_t i) const {
    if (btf_is_enum(t)) {
      std::uint32_t raw = static_cast<std::uint32_t>(btf_enum(t)[i].val);
      return btf_kflag(t) ? static_cast<std::int32_t>(raw) : static_cast<long long>(raw);
    }
    return static_cast<long long>(btf_enum64_value(btf_enum64(t) + i));
  }
  // C's `enum { false, true }` (vmlinux's bool): C++ has them built in.
  bool is_bool_literal(const btf_type *t, std::uint16_t i) const {
    std::string_view name = enumerator_c_name(t, i);
    long long value = enumerator_value(t, i);
    return (name == "false" && value == 0) || (name == "true" && value == 1);
  }

  // --- layout -------------------------------------------------------------

  std::uint32_t size_of(std::uint32_t id) const {
    if (id == 0) return 0;
    __s64 size = btf__resolve_size(&btf_, id);
    if (size < 0) fail("cannot size BTF type [" + std::to_string(id) + "]");
    return static_cast<std::uint32_t>(size);
  }

  // Alignment of the type as this header writes it (C++ rules for the BPF
  // target: __int128 is 16-aligned, unnamed bit-fields do not align).
  std::uint32_t align_of(std::uint32_t id) {
    id = skip_modifiers_and_typedefs(id);
    if (id == 0) return 1;
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return std::max<std::uint32_t>(1, t->size);
      case BTF_KIND_PTR:
        return 8;
      case BTF_KIND_ARRAY:
        return align_of(btf_array(t)->type);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return plan(id).align;
      default:
        return 1;
    }
  }

  // Bits a member occupies in C++: none for a zero-size member (GNU C's
  // empty structs and arrays of them, written as arrays of zero elements).
  std::uint32_t member_bits(const btf_type *t, std::uint16_t i) const {
    std::uint32_t bitfield = btf_member_bitfield_size(t, i);
    if (bitfield) return bitfield;
    return size_of(btf_members(t)[i].type) * bits_per_byte;
  }

  const record_plan &plan(std::uint32_t id) {
    if (plans_[id]) return *plans_[id];
    for (bool packed : {false, true}) {
      if (auto result = try_layout(id, packed)) {
        plans_[id] = std::move(result);
        return *plans_[id];
      }
    }
    fail(c_spelling(id) + " (BTF type [" + std::to_string(id) +
         "]): its layout cannot be written in C++");
  }

  // Simulates clang's layout of the record as this header writes it; the
  // plan says where explicit padding makes it match the BTF offsets.
  std::optional<record_plan> try_layout(std::uint32_t id, bool packed) {
    const btf_type *t = type(id);
    const std::uint16_t vlen = btf_vlen(t);
    record_plan p;
    p.packed = packed;
    p.pad_before.assign(vlen, 0);
    std::uint32_t align = 1;
    std::uint32_t end = 0;  // bits used so far
    for (std::uint16_t i = 0; i < vlen; ++i) {
      const btf_member &m = btf_members(t)[i];
      const std::uint32_t offset = btf_member_bit_offset(t, i);
      const std::uint32_t bitfield = btf_member_bitfield_size(t, i);
      const std::uint32_t member_align = align_of(m.type);
      if (!packed) align = std::max(align, member_align);
      if (btf_is_union(t)) {
        if (offset != 0) return std::nullopt;
        end = std::max(end, member_bits(t, i));
        continue;
      }
      std::uint32_t natural;
      if (bitfield) {
        // A bit-field does not straddle a unit of its type unless packed.
        const std::uint32_t unit = std::max<std::uint32_t>(size_of(m.type), 1) * bits_per_byte;
        natural = end;
        if (!packed && natural % unit + bitfield > unit)
          natural = round_up(natural, member_align * bits_per_byte);
      } else {
        natural = round_up(end, (packed ? 1 : member_align) * bits_per_byte);
      }
      if (natural > offset) return std::nullopt;
      if (natural < offset) p.pad_before[i] = offset - end;
      end = offset + member_bits(t, i);
    }
    const std::uint32_t size_bits = t->size * bits_per_byte;
    if (size_bits % (align * bits_per_byte) != 0) return std::nullopt;
    const std::uint32_t natural_size = round_up(end, align * bits_per_byte);
    if (natural_size > size_bits) return std::nullopt;
    if (natural_size < size_bits) {
      if (btf_is_union(t))
        p.union_filler = true;
      else
        p.trailing_bits = size_bits - end;
    }
    p.align = align;
    return p;
  }

  // Unnamed bit-fields from bit `from` to bit `to`, each within one unit of
  // its type, so that none moves to a later unit and none aligns the record.
  static std::string padding(std::uint32_t from, std::uint32_t to, const std::string &indent) {
    static constexpr struct {
      std::uint32_t bits;
      const char *type;
    } units[] = {{64, "long"}, {32, "int"}, {16, "short"}, {8, "char"}};
    std::string text;
    while (from < to) {
      std::uint32_t take = 0;
      const char *unit_type = "char";
      for (const auto &unit : units) {
        if (from % unit.bits == 0 && to - from >= unit.bits) {
          take = unit.bits;
          unit_type = unit.type;
          break;
        }
      }
      if (take == 0) take = std::min(bits_per_byte - from % bits_per_byte, to - from);
      text += indent + unit_type + ": " + std::to_string(take) + ";\n";
      from += take;
    }
    return text;
  }

  // --- declarations -------------------------------------------------------

  // The C++ declaration of `inner` with type `id`. Anonymous records are
  // written inline (their body indented at `level`).
  std::string declaration(std::uint32_t id, const std::string &inner, int level,
                          const body_scope *scope, bool in_stable) {
    auto join = [](std::string head, const std::string &rest) {
      if (rest.empty()) return head;
      if (rest[0] != '[' && rest[0] != '(' && rest[0] != ')') head += ' ';
      return head + rest;
    };
    if (id == 0) return join("void", inner);
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT: {
        std::string name(c_name(id));
        if (name == "_Bool") name = "bool";
        return join(name, inner);
      }
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (t->name_off == 0) return join(record_body(id, level, in_stable), inner);
        return join(std::string(btf_is_union(t) ? "union " : "struct ") + names_[id], inner);
      case BTF_KIND_FWD:
        return join(std::string(btf_kflag(t) ? "union " : "struct ") + names_[id], inner);
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (t->name_off != 0) return join("enum " + names_[id], inner);
        if (enumerators_[id].empty()) return join(enum_underlying_type(t), inner);
        return join("decltype(::" + enumerators_[id].front() + ")", inner);
      case BTF_KIND_TYPEDEF: {
        const std::string &name = names_[id];
        if (skipped_builtin_typedef(id)) return join(std::string(c_name(id)), inner);
        bool hidden = scope && scope->member_names.count(name);
        return join(hidden ? "::" + name : name, inner);
      }
      case BTF_KIND_PTR: {
        std::uint32_t target = skip_type_tags(t->type);
        const btf_type *pointee = target ? type(target) : nullptr;
        bool wrap = pointee && (btf_is_array(pointee) || btf_is_func_proto(pointee));
        return declaration(target, wrap ? "(*" + inner + ")" : "*" + inner, level, scope,
                           in_stable);
      }
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT: {
        const char *qualifier = btf_is_const(t) ? "const" : btf_is_volatile(t) ? "volatile"
                                                                               : "__restrict";
        std::uint32_t target = skip_type_tags(t->type);
        const btf_type *under = target ? type(target) : nullptr;
        if (under && btf_is_ptr(under))
          return declaration(target, std::string(qualifier) + (inner.empty() ? "" : " ") + inner,
                             level, scope, in_stable);
        std::string rest = declaration(target, inner, level, scope, in_stable);
        // An array's qualifier is its elements': `const` once.
        if (rest.starts_with(std::string(qualifier) + " ")) return rest;
        return std::string(qualifier) + " " + rest;
      }
      case BTF_KIND_TYPE_TAG:
        return declaration(t->type, inner, level, scope, in_stable);
      case BTF_KIND_ARRAY: {
        const auto *array = btf_array(t);
        return declaration(array->type, inner + "[" + std::to_string(array->nelems) + "]", level,
                           scope, in_stable);
      }
      case BTF_KIND_FUNC_PROTO: {
        std::string params;
        const std::uint16_t vlen = btf_vlen(t);
        for (std::uint16_t i = 0; i < vlen; ++i) {
          if (i) params += ", ";
          std::uint32_t param = btf_params(t)[i].type;
          params += param == 0 && i + 1 == vlen ? "..."
                                                : declaration(param, "", level, scope, in_stable);
        }
        if (vlen == 0) params = "void";
        return declaration(t->type, inner + "(" + params + ")", level, scope, in_stable);
      }
      default:
        fail("BTF type [" + std::to_string(id) + "] of kind " + std::to_string(btf_kind(t)) +
             " cannot be a member or typedef type");
    }
  }

  std::uint32_t skip_type_tags(std::uint32_t id) const {
    while (id != 0 && btf_is_type_tag(type(id))) id = type(id)->type;
    return id;
  }

  bool skipped_builtin_typedef(std::uint32_t id) const {
    const btf_type *t = type(id);
    if (!btf_is_typedef(t) || !is_builtin_type_name(c_name(id))) return false;
    std::uint32_t target = skip_modifiers(t->type);
    return target != 0 && btf_is_int(type(target));
  }

  static std::string enum_underlying_type(const btf_type *t) {
    const bool is_signed = btf_kflag(t);
    switch (t->size) {
      case 1:
        return is_signed ? "signed char" : "unsigned char";
      case 2:
        return is_signed ? "short" : "unsigned short";
      case 8:
        return is_signed ? "long long" : "unsigned long long";
      default:
        return is_signed ? "int" : "unsigned int";
    }
  }

  void collect_member_names(std::uint32_t id, body_scope &scope) const {
    const btf_type *t = type(id);
    for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_member &m = btf_members(t)[i];
      std::string_view name = member_c_name(m);
      if (!name.empty()) {
        scope.member_names.insert(is_keyword(name) ? std::string(name) + "_" : std::string(name));
        continue;
      }
      std::uint32_t inner = skip_modifiers(m.type);
      if (inner && btf_is_composite(type(inner))) collect_member_names(inner, scope);
    }
  }

  // `struct [attributes] [name] { members }`, without the trailing ';'.
  std::string record_body(std::uint32_t id, int level, bool in_stable) {
    const btf_type *t = type(id);
    const record_plan p = plan(id);  // copy: plan() may grow plans_
    const bool stable = in_stable || stable_[id];
    const std::string indent(static_cast<std::size_t>(level) + 1, '\t');
    std::string text = btf_is_union(t) ? "union" : "struct";
    if (!stable) text += " __bpfkit_core";
    if (!keyword_c_name_[id].empty())
      text += " __bpfkit_keyword(\"" + keyword_c_name_[id] + "\")";
    if (t->name_off != 0) text += " " + names_[id];
    text += " {\n";

    body_scope scope;
    collect_member_names(id, scope);
    std::uint32_t end = 0;
    for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_member &m = btf_members(t)[i];
      const std::uint32_t offset = btf_member_bit_offset(t, i);
      if (p.pad_before[i]) text += padding(end, offset, indent);
      text += indent + member_declaration(t, i, level + 1, &scope, stable) + ";\n";
      if (!btf_is_union(t)) end = offset + member_bits(t, i);
      (void)m;
    }
    if (p.trailing_bits) text += padding(end, end + p.trailing_bits, indent);
    if (p.union_filler)
      text += indent + "char __bpfkit_union_size[" + std::to_string(t->size) + "];\n";
    text += std::string(static_cast<std::size_t>(level), '\t') + "}";
    if (p.packed) text += " __attribute__((packed))";
    return text;
  }

  std::string member_declaration(const btf_type *t, std::uint16_t i, int level,
                                 const body_scope *scope, bool in_stable) {
    const btf_member &m = btf_members(t)[i];
    std::string name(member_c_name(m));
    std::string prefix;
    if (is_keyword(name)) {
      prefix = "__bpfkit_keyword(\"" + name + "\") ";
      name += '_';
    }
    const std::uint32_t bitfield = btf_member_bitfield_size(t, i);
    const std::uint32_t target = skip_modifiers_and_typedefs(m.type);
    if (!bitfield && target && !name.empty() && size_of(m.type) == 0) {
      // GNU C's empty struct takes no room; a C++ one takes a byte. Zero of
      // them take none: [[no_unique_address]] would not do, since two empty
      // members of one type (lock_class_key) must not share an address and
      // it does not apply in unions.
      const btf_type *under = type(target);
      if (btf_is_composite(under))
        return prefix + declaration(m.type, name + "[0]", level, scope, in_stable);
      if (btf_is_array(under) && btf_array(under)->nelems != 0)
        return prefix + declaration(btf_array(under)->type, name + "[0]", level, scope, in_stable);
    }
    std::string text = prefix + declaration(m.type, name, level, scope, in_stable);
    if (bitfield) text += ": " + std::to_string(bitfield);
    return text;
  }

  // --- emission -------------------------------------------------------------

  // Makes every type that `id` needs declared (and, by value, defined)
  // appear before it.
  void require(std::uint32_t id, bool by_value) {
    if (id == 0) return;
    const btf_type *t = type(id);
    switch (btf_kind(t)) {
      case BTF_KIND_PTR:
        require(t->type, false);
        return;
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        require(t->type, by_value);
        return;
      case BTF_KIND_ARRAY:
        require(btf_array(t)->type, true);  // elements must be complete
        return;
      case BTF_KIND_FUNC_PROTO:
        require(t->type, false);
        for (std::uint16_t i = 0; i < btf_vlen(t); ++i) require(btf_params(t)[i].type, false);
        return;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (t->name_off == 0) {
          for (std::uint16_t i = 0; i < btf_vlen(t); ++i) require(btf_members(t)[i].type, true);
        } else if (by_value) {
          emit_record(id);
        }
        return;
      case BTF_KIND_TYPEDEF:
        emit_typedef(id);
        if (by_value) require(t->type, true);
        return;
      default:
        return;  // enums come first; ints and floats need nothing
    }
  }

  void emit_record(std::uint32_t id) {
    if (state_[id] == state::emitted) return;
    if (state_[id] == state::emitting)
      fail(c_spelling(id) + " contains itself by value through other types");
    state_[id] = state::emitting;
    const btf_type *t = type(id);
    for (std::uint16_t i = 0; i < btf_vlen(t); ++i) require(btf_members(t)[i].type, true);
    out_ += record_body(id, 0, false) + ";\n\n";
    state_[id] = state::emitted;
  }

  void emit_typedef(std::uint32_t id) {
    if (state_[id] != state::pending) return;
    state_[id] = state::emitted;  // a typedef may name itself through a pointer
    if (skipped_builtin_typedef(id)) return;
    const btf_type *t = type(id);
    require(t->type, false);
    std::string prefix;
    if (!keyword_c_name_[id].empty())
      prefix = "__bpfkit_keyword(\"" + keyword_c_name_[id] + "\") ";
    out_ += "typedef " + prefix + declaration(t->type, names_[id], 0, nullptr, stable_typedef(id)) +
            ";\n\n";
  }

  bool stable_typedef(std::uint32_t id) const {
    return std::find(std::begin(stable_records), std::end(stable_records), c_name(id)) !=
           std::end(stable_records);
  }

  void write_prologue() {
    out_ +=
        "/* vmlinux.h for C++ BPF sources, generated by bpfkit-vmlinux --cxx from " + source_ +
        ".\n"
        " *\n"
        " * Every kernel type is laid out exactly as its BTF says: the static_asserts at the\n"
        " * end prove it at compile time. Names that C++ cannot spell end in '_'\n"
        " * (private -> private_). Kernel records are annotated \"bpfkit:core\": clang\n"
        " * ignores preserve_access_index in C++, so bpfkit-check makes a direct read of\n"
        " * their fields a build error; read them with BPF_CORE_READ() or inside\n"
        " * __builtin_preserve_access_index() to get CO-RE relocations, as C does.\n"
        " *\n"
        " * A C source that finds this header gets the next vmlinux.h on its include path\n"
        " * (the C one), so C and C++ sources of one object share one include path.\n"
        " */\n"
        "#ifndef __cplusplus\n"
        "#include_next <vmlinux.h>\n"
        "#else\n"
        "#ifndef __VMLINUX_H__\n"
        "#define __VMLINUX_H__\n"
        "\n"
        "#pragma clang system_header\n"
        "\n"
        "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
        "#define __bpfkit_core __attribute__((annotate(\"bpfkit:core\")))\n"
        "#else\n"
        "#define __bpfkit_core\n"
        "#endif\n"
        "#define __bpfkit_keyword(c_name) __attribute__((annotate(\"bpfkit:keyword=\" c_name)))\n"
        "\n";
  }

  void write_forward_declarations() {
    out_ += "/* Structs and unions, declared. */\n\n";
    std::set<std::string> declared;
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if ((!btf_is_composite(t) && !btf_is_fwd(t)) || t->name_off == 0) continue;
      bool is_union = btf_is_composite(t) ? btf_is_union(t) : btf_kflag(t);
      std::string declaration = std::string(is_union ? "union " : "struct ") + names_[id] + ";\n";
      if (declared.insert(names_[id]).second) out_ += declaration;
    }
    out_ += "\n";
  }

  void write_enums() {
    out_ += "/* Enums: complete once declared, their underlying type being fixed. */\n\n";
    std::set<std::string> defined;
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if ((btf_is_enum(t) || btf_is_enum64(t)) && t->name_off != 0 && btf_vlen(t) != 0)
        defined.insert(names_[id]);
    }
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      if (!btf_is_enum(t) && !btf_is_enum64(t)) continue;
      const std::string underlying = enum_underlying_type(t);
      if (t->name_off != 0 && btf_vlen(t) == 0) {
        // A forward declaration: the definition, if any, is elsewhere.
        if (!defined.count(names_[id]) && defined.insert(names_[id]).second)
          out_ += "enum " + names_[id] + " : " + underlying + ";\n\n";
        continue;
      }
      if (enumerators_[id].empty()) continue;  // only false/true, or nothing
      out_ += "enum ";
      if (!keyword_c_name_[id].empty())
        out_ += "__bpfkit_keyword(\"" + keyword_c_name_[id] + "\") ";
      if (t->name_off != 0) out_ += names_[id] + " ";
      out_ += ": " + underlying + " {\n";
      std::size_t next = 0;
      for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
        if (is_bool_literal(t, i)) continue;
        long long value = enumerator_value(t, i);
        std::string text = btf_kflag(t)
                               ? std::to_string(value)
                               : std::to_string(static_cast<unsigned long long>(value)) + "U";
        if (t->size == 8) text += "LL";
        out_ += "\t" + enumerators_[id][next++] + " = " + text + ",\n";
      }
      out_ += "};\n\n";
    }
  }

  // static_asserts on every record's size and the offset of every member
  // that is not a bit-field: a layout C++ got wrong is a compile error here,
  // never a wrong offset in a program.
  void write_layout_checks() {
    // (bpfkit-check's parse, which only looks at the source, skips them.)
    out_ +=
        "/* Layout checks: each struct and union has the size and member offsets of its BTF. */\n"
        "\n"
        "#ifndef __bpfkit_check__\n";
    for (std::uint32_t id = 1; id < count_; ++id) {
      const btf_type *t = type(id);
      std::string spelled;
      std::uint32_t record = 0;
      if (btf_is_composite(t) && t->name_off != 0) {
        spelled = std::string(btf_is_union(t) ? "union " : "struct ") + names_[id];
        record = id;
      } else if (btf_is_typedef(t) && !skipped_builtin_typedef(id)) {
        std::uint32_t target = skip_modifiers(t->type);
        if (target && btf_is_composite(type(target)) && type(target)->name_off == 0) {
          spelled = names_[id];
          record = target;
        }
      }
      if (!record) continue;
      const btf_type *r = type(record);
      if (r->size == 0)
        out_ += "static_assert(sizeof(" + spelled + ") == 0 || __is_empty(" + spelled + "));\n";
      else
        out_ += "static_assert(sizeof(" + spelled + ") == " + std::to_string(r->size) + ");\n";
      member_checks(spelled, record, "", 0);
    }
    out_ += "#endif /* __bpfkit_check__ */\n\n";
  }

  void member_checks(const std::string &spelled, std::uint32_t record, const std::string &path,
                     std::uint32_t base_bits) {
    const btf_type *t = type(record);
    for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
      const btf_member &m = btf_members(t)[i];
      if (btf_member_bitfield_size(t, i)) continue;
      const std::uint32_t offset = base_bits + btf_member_bit_offset(t, i);
      std::string name(member_c_name(m));
      const std::uint32_t target = skip_modifiers_and_typedefs(m.type);
      const btf_type *under = target ? type(target) : nullptr;
      const bool anonymous_record = under && btf_is_composite(under) && under->name_off == 0;
      if (name.empty()) {
        if (anonymous_record) member_checks(spelled, target, path, offset);
        continue;
      }
      if (is_keyword(name)) name += '_';
      out_ += "static_assert(__builtin_offsetof(" + spelled + ", " + path + name + ") == " +
              std::to_string(offset / bits_per_byte) + ");\n";
      // (A zero-size member is written as an array of none: nothing inside.)
      if (anonymous_record && size_of(target) != 0 &&
          !btf_is_typedef(type(skip_modifiers(m.type))))
        member_checks(spelled, target, path + name + ".", offset);
    }
  }

  void write_epilogue() {
    out_ +=
        "#undef __bpfkit_core\n"
        "#undef __bpfkit_keyword\n"
        "\n"
        "#endif /* __VMLINUX_H__ */\n"
        "#endif /* __cplusplus */\n";
  }

  const btf &btf_;
  std::string source_;
  std::uint32_t count_ = 0;
  std::vector<std::string> names_;           // C++ name of each named type
  std::vector<std::string> keyword_c_name_;  // its C name when that is a keyword
  std::unordered_map<std::uint32_t, std::vector<std::string>> enumerators_;
  std::vector<std::optional<record_plan>> plans_;
  std::vector<state> state_;
  std::vector<bool> stable_;
  std::string out_;
};

}  // namespace

bool stable_abi_record(std::string_view name) {
  return std::find(std::begin(stable_records), std::end(stable_records), name) !=
         std::end(stable_records);
}

std::string render_cxx_header(const btf &b, const std::string &source) {
  return renderer(b, source).render();
}

}  // namespace bpfkit::tools
