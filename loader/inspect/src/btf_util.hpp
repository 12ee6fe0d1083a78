// Small BTF helpers shared by the inspect library's sources (not installed).
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace bpfkit::inspect::detail {

// The type behind const/volatile/restrict/type tags and typedefs, and its id.
inline const btf_type *skip_mods_and_typedefs(const btf *b, std::uint32_t id, std::uint32_t *result_id = nullptr) {
  const btf_type *t = btf__type_by_id(b, id);
  while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
    id = t->type;
    t = btf__type_by_id(b, id);
  }
  if (result_id) *result_id = id;
  return t;
}

// The type behind const/volatile/restrict/type tags only.
inline const btf_type *skip_mods(const btf *b, std::uint32_t id, std::uint32_t *result_id = nullptr) {
  const btf_type *t = btf__type_by_id(b, id);
  while (t && btf_is_mod(t)) {
    id = t->type;
    t = btf__type_by_id(b, id);
  }
  if (result_id) *result_id = id;
  return t;
}

inline std::string name_of(const btf *b, std::uint32_t name_off) {
  const char *name = btf__name_by_offset(b, name_off);
  return name ? name : "";
}

inline std::string name_of(const btf *b, const btf_type *t) { return t ? name_of(b, t->name_off) : ""; }

// The length of a name without its "___flavor" suffix (libbpf's "essential
// name"): the suffix starts at the last "X___Y" where X and Y are not '_'.
inline std::size_t essential_name_length(std::string_view name) {
  for (std::size_t i = name.size() >= 5 ? name.size() - 5 + 1 : 0; i-- > 0;) {
    if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
      return i + 1;
  }
  return name.size();
}

inline std::string_view essential_name(std::string_view name) {
  return name.substr(0, essential_name_length(name));
}

// "struct", "union", "enum", "typedef", "int"... as C or BTF calls the kind.
inline const char *kind_word(const btf_type *t) {
  switch (btf_kind(t)) {
    case BTF_KIND_INT: return "int";
    case BTF_KIND_PTR: return "pointer";
    case BTF_KIND_ARRAY: return "array";
    case BTF_KIND_STRUCT: return "struct";
    case BTF_KIND_UNION: return "union";
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: return "enum";
    case BTF_KIND_FWD: return btf_kflag(t) ? "union" : "struct";
    case BTF_KIND_TYPEDEF: return "typedef";
    case BTF_KIND_VOLATILE: return "volatile";
    case BTF_KIND_CONST: return "const";
    case BTF_KIND_RESTRICT: return "restrict";
    case BTF_KIND_FUNC: return "function";
    case BTF_KIND_FUNC_PROTO: return "function prototype";
    case BTF_KIND_VAR: return "variable";
    case BTF_KIND_DATASEC: return "section";
    case BTF_KIND_FLOAT: return "float";
    case BTF_KIND_DECL_TAG: return "decl tag";
    case BTF_KIND_TYPE_TAG: return "type tag";
    default: return "type";
  }
}

// "struct task_struct", "enum state", "pid_t", "char *", "int[16]": a type as
// C names it, for messages (declarations with names come from c_types).
inline std::string spelled(const btf *b, std::uint32_t id, int depth = 0) {
  const btf_type *t = btf__type_by_id(b, id);
  if (!t || depth > 16) return "type [" + std::to_string(id) + "]";
  std::string name = name_of(b, t);
  switch (btf_kind(t)) {
    case BTF_KIND_UNKN:
      return "void";
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
    case BTF_KIND_FWD:
      return std::string(kind_word(t)) + " " + (name.empty() ? "(anonymous)" : name);
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_INT:
    case BTF_KIND_FLOAT:
      return name;
    case BTF_KIND_PTR: {
      const btf_type *to = btf__type_by_id(b, t->type);
      if (to && btf_is_func_proto(to)) return "function pointer";
      return spelled(b, t->type, depth + 1) + " *";
    }
    case BTF_KIND_ARRAY:
      return spelled(b, btf_array(t)->type, depth + 1) + "[" + std::to_string(btf_array(t)->nelems) + "]";
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
      return std::string(kind_word(t)) + " " + spelled(b, t->type, depth + 1);
    case BTF_KIND_TYPE_TAG:
      return spelled(b, t->type, depth + 1);
    default:
      return name.empty() ? std::string(kind_word(t)) : std::string(kind_word(t)) + " " + name;
  }
}

}  // namespace bpfkit::inspect::detail
