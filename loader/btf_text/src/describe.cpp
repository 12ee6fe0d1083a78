// describe_type: the type as a C programmer would name it in a message.
#include <string>

#include "bpfkit/btf_text.hpp"
#include "btf_types.hpp"

namespace bpfkit {
namespace {

using btf_text_detail::name_of;

std::string tagged(const btf* btf, const btf_type* t, const char* keyword) {
  std::string_view name = name_of(btf, t);
  return std::string(keyword) + " " + (name.empty() ? std::string("<anonymous>") : std::string(name));
}

std::string describe(const btf* btf, std::uint32_t id, int depth) {
  if (id == 0) return "void";
  const btf_type* t = btf__type_by_id(btf, id);
  if (t == nullptr) return "type #" + std::to_string(id);
  if (depth > 16) return "...";
  switch (btf_kind(t)) {
    case BTF_KIND_INT:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPEDEF:
      return std::string(name_of(btf, t));
    case BTF_KIND_STRUCT:
      return tagged(btf, t, "struct");
    case BTF_KIND_UNION:
      return tagged(btf, t, "union");
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      return tagged(btf, t, "enum");
    case BTF_KIND_FWD:
      return tagged(btf, t, btf_kflag(t) ? "union" : "struct");
    case BTF_KIND_PTR: {
      std::string target = describe(btf, t->type, depth + 1);
      return target + (target.ends_with('*') ? "*" : " *");
    }
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT: {
      const char* q = btf_is_const(t) ? "const" : btf_is_volatile(t) ? "volatile" : "restrict";
      const btf_type* target = btf__type_by_id(btf, t->type);
      std::string inner = describe(btf, t->type, depth + 1);
      // A qualified pointer is written after the star: char *const.
      if (target && btf_is_ptr(target)) return inner + " " + q;
      return std::string(q) + " " + inner;
    }
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_VAR:
      return describe(btf, t->type, depth + 1);
    case BTF_KIND_ARRAY: {
      // int a[2][3] is an array of 2 arrays of 3: dimensions read outside-in.
      std::string dims;
      const btf_type* a = t;
      std::uint32_t elem = id;
      while (a && btf_is_array(a)) {
        dims += "[" + std::to_string(btf_array(a)->nelems) + "]";
        elem = btf_array(a)->type;
        a = btf__type_by_id(btf, elem);
      }
      return describe(btf, elem, depth + 1) + dims;
    }
    case BTF_KIND_FUNC:
      return "function " + std::string(name_of(btf, t));
    case BTF_KIND_FUNC_PROTO:
      return "function type";
    case BTF_KIND_DATASEC:
      return "section " + std::string(name_of(btf, t));
    default:
      return "type #" + std::to_string(id);
  }
}

}  // namespace

std::string describe_type(const btf* btf, std::uint32_t type_id) {
  if (btf == nullptr) return "type #" + std::to_string(type_id);
  return describe(btf, type_id, 0);
}

}  // namespace bpfkit
