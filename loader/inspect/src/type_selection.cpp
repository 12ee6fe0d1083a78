#include "bpfkit/inspect/type_selection.hpp"

#include <bpf/libbpf.h>

#include <algorithm>
#include <set>

#include "bpfkit/text/spelling.hpp"
#include "btf_util.hpp"

namespace bpfkit::inspect {

using detail::name_of;
using detail::skip_mods;
using detail::skip_mods_and_typedefs;

namespace {

bool printable_kind(const btf_type *t) {
  return btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t) || btf_is_int(t) || btf_is_float(t) ||
         btf_is_datasec(t) || btf_is_func(t) || btf_is_var(t) || btf_is_fwd(t);
}

bool named_kind(const btf_type *t) {
  return btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t);
}

// The pointee of a BTF-defined map's `__type(key, T)` member (a pointer to T),
// or the element count of `__uint(type, N)` (a pointer to an array of N).
const btf_type *member_target(const btf *b, const btf_type *def, const char *name, std::uint32_t &id) {
  const btf_member *m = btf_members(def);
  for (std::uint32_t i = 0; i < btf_vlen(def); ++i, ++m) {
    if (name_of(b, m->name_off) != name) continue;
    const btf_type *ptr = skip_mods_and_typedefs(b, m->type);
    if (!ptr || !btf_is_ptr(ptr)) return nullptr;
    id = ptr->type;
    return btf__type_by_id(b, ptr->type);
  }
  return nullptr;
}

}  // namespace

std::vector<std::uint32_t> find_types(const btf *b, std::string_view query) {
  std::string_view kind;
  for (std::string_view prefix : {"struct ", "union ", "enum ", "typedef "})
    if (query.starts_with(prefix)) {
      kind = prefix.substr(0, prefix.size() - 1);
      query.remove_prefix(prefix.size());
    }
  while (query.starts_with(" ")) query.remove_prefix(1);
  std::vector<std::uint32_t> found, declarations;
  const std::uint32_t n = btf__type_cnt(b);
  for (std::uint32_t id = 1; id < n; ++id) {
    const btf_type *t = btf__type_by_id(b, id);
    if (!t->name_off || !printable_kind(t)) continue;
    if (!kind.empty() && !(kind == detail::kind_word(t) && (named_kind(t) || btf_is_fwd(t)))) continue;
    if (name_of(b, t) != query) continue;
    (btf_is_fwd(t) ? declarations : found).push_back(id);
  }
  // A forward declaration only when there is no definition.
  return found.empty() ? declarations : found;
}

std::vector<std::string> similar_type_names(const btf *b, std::string_view query, std::size_t limit) {
  for (std::string_view prefix : {"struct ", "union ", "enum ", "typedef "})
    if (query.starts_with(prefix)) query.remove_prefix(prefix.size());
  std::vector<std::pair<std::size_t, std::string>> scored;
  std::set<std::string> seen;
  const std::uint32_t n = btf__type_cnt(b);
  const std::size_t tolerance = query.size() <= 4 ? 1 : query.size() <= 8 ? 2 : 3;
  for (std::uint32_t id = 1; id < n; ++id) {
    const btf_type *t = btf__type_by_id(b, id);
    if (!t->name_off || !named_kind(t)) continue;
    const std::string name = name_of(b, t);
    if (seen.count(name)) continue;
    std::size_t score;
    if (name.find(query) != std::string::npos && !query.empty())
      score = name.size() - query.size();
    else if (std::max(name.size(), query.size()) - std::min(name.size(), query.size()) <= tolerance &&
             (score = text::edit_distance(name, query)) <= tolerance)
      ;
    else
      continue;
    seen.insert(name);
    scored.emplace_back(score, detail::spelled(b, id));
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && i < limit; ++i) names.push_back(scored[i].second);
  return names;
}

object_roots find_roots(const btf *b, const std::vector<std::string> &programs) {
  object_roots roots;
  const std::uint32_t n = btf__type_cnt(b);
  for (std::uint32_t id = 1; id < n; ++id) {
    const btf_type *t = btf__type_by_id(b, id);
    if (!btf_is_datasec(t)) continue;
    const std::string section = name_of(b, t);
    if (section == ".maps") {
      const btf_var_secinfo *v = btf_var_secinfos(t);
      for (std::uint32_t i = 0; i < btf_vlen(t); ++i, ++v) {
        const btf_type *var = btf__type_by_id(b, v->type);
        const btf_type *def = var ? skip_mods_and_typedefs(b, var->type) : nullptr;
        if (!var || !def || !btf_is_struct(def)) continue;
        map_declaration map;
        map.name = name_of(b, var);
        std::uint32_t ignored = 0;
        if (const btf_type *array = member_target(b, def, "type", ignored); array && btf_is_array(array)) {
          const char *type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(btf_array(array)->nelems));
          map.type = type ? type : std::to_string(btf_array(array)->nelems);
        }
        member_target(b, def, "key", map.key);
        member_target(b, def, "value", map.value);
        roots.maps.push_back(std::move(map));
      }
    } else if (section.starts_with(".bss") || section.starts_with(".data") || section.starts_with(".rodata")) {
      roots.sections.push_back(id);
    }
  }
  for (const std::string &program : programs) {
    for (std::uint32_t id = 1; id < n; ++id) {
      const btf_type *t = btf__type_by_id(b, id);
      if (!btf_is_func(t) || name_of(b, t) != program) continue;
      const btf_type *proto = btf__type_by_id(b, t->type);
      if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) == 0) break;
      const btf_type *ptr = skip_mods_and_typedefs(b, btf_params(proto)[0].type);
      if (!ptr || !btf_is_ptr(ptr)) break;
      std::uint32_t context = 0;
      const btf_type *pointee = skip_mods_and_typedefs(b, ptr->type, &context);
      if (pointee && btf_is_composite(pointee)) roots.contexts.push_back({program, context});
      break;
    }
  }
  return roots;
}

std::vector<std::uint32_t> types_reachable(const btf *b, const std::vector<std::uint32_t> &roots) {
  std::vector<std::uint32_t> order;
  std::set<std::uint32_t> seen;
  // Depth-first, by value only: a pointer leads to types of their own.
  auto visit = [&](auto &self, std::uint32_t id, int depth) -> void {
    const btf_type *t = btf__type_by_id(b, id);
    if (!t || depth > 64) return;
    if (btf_is_mod(t) || btf_is_var(t)) return self(self, t->type, depth + 1);
    if (btf_is_array(t)) return self(self, btf_array(t)->type, depth + 1);
    if (btf_is_typedef(t)) {
      const btf_type *target = skip_mods(b, t->type);
      const bool anonymous_body = target && (btf_is_composite(target) || btf_is_any_enum(target)) && !target->name_off;
      if (anonymous_body) {
        if (!seen.insert(id).second) return;
        order.push_back(id);
        const btf_member *m = btf_is_composite(target) ? btf_members(target) : nullptr;
        for (std::uint32_t i = 0; m && i < btf_vlen(target); ++i) self(self, m[i].type, depth + 1);
        return;
      }
      return self(self, t->type, depth + 1);
    }
    if (btf_is_datasec(t)) {
      if (!seen.insert(id).second) return;
      order.push_back(id);
      const btf_var_secinfo *v = btf_var_secinfos(t);
      for (std::uint32_t i = 0; i < btf_vlen(t); ++i) self(self, v[i].type, depth + 1);
      return;
    }
    if (btf_is_composite(t)) {
      if (t->name_off) {
        if (!seen.insert(id).second) return;
        order.push_back(id);
      }
      const btf_member *m = btf_members(t);
      for (std::uint32_t i = 0; i < btf_vlen(t); ++i) self(self, m[i].type, depth + 1);
      return;
    }
    if (btf_is_any_enum(t) && t->name_off && seen.insert(id).second) order.push_back(id);
  };
  for (std::uint32_t root : roots) visit(visit, root, 0);
  return order;
}

std::vector<std::uint32_t> all_named_types(const btf *b) {
  std::vector<std::uint32_t> ids;
  const std::uint32_t n = btf__type_cnt(b);
  for (std::uint32_t id = 1; id < n; ++id) {
    const btf_type *t = btf__type_by_id(b, id);
    if (t->name_off && (btf_is_composite(t) || btf_is_any_enum(t))) ids.push_back(id);
  }
  return ids;
}

}  // namespace bpfkit::inspect
