#include "bpfkit/inspect/btf_report.hpp"

#include <map>
#include <memory>
#include <set>

#include "bpfkit/inspect/btf_source.hpp"
#include "bpfkit/inspect/compare.hpp"
#include "bpfkit/inspect/error.hpp"
#include "bpfkit/inspect/layout.hpp"
#include "bpfkit/inspect/object_file.hpp"
#include "bpfkit/inspect/type_selection.hpp"
#include "btf_util.hpp"
#include "layout_json.hpp"

namespace bpfkit::inspect {
namespace {

using detail::skip_mods_and_typedefs;
using detail::spelled;

// The BTF being shown, and what else there is to know about where it came from.
struct source_types {
  named_btf main;
  std::string name;  // for headers: the path as given, "map flows", "the running kernel"
  std::optional<object_file> object;
  std::optional<map_types> map;
  std::vector<module_btf> modules;  // the running kernel's, when a type is not in vmlinux
  bool modules_read = false;
};

// A type to show: its BTF (vmlinux or a module's) and id.
struct located_type {
  const btf *types;
  std::uint32_t id;
  std::string module;
};

source_types open_source(const btf_request &request) {
  source_types s;
  if (request.kernel) {
    s.main = read_running_kernel_btf();
    s.name = "the running kernel";
    return s;
  }
  const std::string &source = *request.source;
  if (names_a_map(source)) {
    s.map = read_map_types(source);
    if (!s.map->types.types)
      throw error(error::category::bad_input,
                  "map " + s.map->name + " (id " + std::to_string(s.map->id) + ") has no BTF: its key is " +
                      std::to_string(s.map->key_size) + " and its value " + std::to_string(s.map->value_size) +
                      " bytes, of no known type",
                  "maps get BTF when they are defined with __type() in an object compiled with -g");
    s.main.types = std::move(s.map->types.types);
    s.main.origin = s.map->types.origin;
    s.name = "map " + s.map->name;
    return s;
  }
  if (classify_file(source) == file_kind::bpf_object) s.object = object_file::read(source);
  s.main = read_btf_file(source);
  s.name = source;
  return s;
}

std::vector<located_type> find_named(source_types &s, const btf_request &request, const std::string &query) {
  std::vector<located_type> found;
  for (std::uint32_t id : find_types(s.main.types.get(), query)) found.push_back({s.main.types.get(), id, {}});
  if (found.empty() && request.kernel) {
    if (!s.modules_read) {
      s.modules = read_running_module_btfs(s.main.types.get());
      s.modules_read = true;
    }
    const std::uint32_t first = btf__type_cnt(s.main.types.get());
    for (const module_btf &m : s.modules)
      for (std::uint32_t id : find_types(m.types.get(), query))
        if (id >= first) found.push_back({m.types.get(), id, m.name});
  }
  if (found.empty()) {
    std::string hint;
    const auto similar = similar_type_names(s.main.types.get(), query);
    for (std::size_t i = 0; i < similar.size(); ++i) hint += (i ? ", " : "did you mean ") + similar[i];
    if (!hint.empty()) hint += "?";
    else hint = "'bpfkit btf " + (request.kernel ? std::string("--kernel") : *request.source) +
                "' without TYPE shows the types it has";
    throw error(error::category::bad_input, "no type named '" + query + "' in " + s.main.origin, hint);
  }
  return found;
}

std::string map_line(const btf *b, const map_declaration &m) {
  std::string line = "map " + m.name;
  if (!m.type.empty()) line += " (" + m.type + ")";
  if (m.key) line += ": key " + spelled(b, m.key);
  if (m.value) line += std::string(m.key ? "," : ":") + " value " + spelled(b, m.value);
  return line;
}

std::string compare_report(source_types &s, const btf_request &request, std::vector<located_type> chosen) {
  named_btf target = read_btf_file(*request.compare, "--compare");
  const btf *base = s.main.types.get();
  std::vector<std::uint32_t> ids;
  if (!request.types.empty()) {
    for (const located_type &t : chosen) {
      if (t.types != base) continue;  // module types compare against vmlinux BTF: left out
      const btf_type *resolved = skip_mods_and_typedefs(base, t.id);
      if (!resolved || !(btf_is_composite(resolved) || btf_is_any_enum(resolved)))
        throw error(error::category::bad_input,
                    spelled(base, t.id) + " is not a struct, union or enum: it has no layout to compare");
      ids.push_back(t.id);
    }
  } else if (s.object) {
    std::optional<named_btf> host;
    try {
      host = read_running_kernel_btf();
    } catch (const error &) {
      // Without the running kernel's BTF, the target alone says which types are the kernel's.
    }
    ids = object_kernel_types(*s.object, host ? host->types.get() : nullptr, target.types.get());
  } else if (s.map) {
    ids = types_reachable(base, {s.map->key_type, s.map->value_type});
  } else {
    ids = all_named_types(base);
  }
  comparison_report report;
  report.baseline = s.name;
  report.target = *request.compare;
  type_comparer comparer(base, target.types.get());
  std::set<std::uint32_t> seen;
  for (std::uint32_t id : ids) {
    const btf_type *t = skip_mods_and_typedefs(base, id, &id);
    if (!t || !(btf_is_composite(t) || btf_is_any_enum(t)) || !seen.insert(id).second) continue;
    report.types.push_back(comparer.compare(id));
  }
  if (s.object) report.reads = core_reads(*s.object);
  return request.json ? comparison_json(report) : comparison_text(report);
}

}  // namespace

std::string btf_report(const btf_request &request) {
  source_types s = open_source(request);
  const btf *base = s.main.types.get();
  // One btf_dump per BTF: setting one up for the kernel's is not free.
  std::map<const btf *, std::unique_ptr<c_declarations>> declarations;
  auto declarations_for = [&declarations](const btf *b) -> const c_declarations & {
    auto &d = declarations[b];
    if (!d) d = std::make_unique<c_declarations>(b);
    return *d;
  };

  std::vector<located_type> chosen;
  std::vector<std::string> header;
  object_roots roots;
  for (const std::string &query : request.types)
    for (const located_type &t : find_named(s, request, query)) chosen.push_back(t);

  if (request.compare) return compare_report(s, request, std::move(chosen));

  if (request.types.empty()) {
    std::vector<std::uint32_t> ids;
    if (s.map) {
      std::string line = "map " + s.map->name + " (id " + std::to_string(s.map->id) + ", " + s.map->type + ")";
      line += ": key " + (s.map->key_type ? spelled(base, s.map->key_type) : std::string("untyped")) + " (" +
              std::to_string(s.map->key_size) + " bytes), value " +
              (s.map->value_type ? spelled(base, s.map->value_type) : std::string("untyped")) + " (" +
              std::to_string(s.map->value_size) + " bytes)";
      header.push_back(line);
      std::vector<std::uint32_t> roots_of_map;
      for (std::uint32_t id : {s.map->key_type, s.map->value_type})
        if (id) roots_of_map.push_back(id);
      ids = types_reachable(base, roots_of_map);
    } else if (s.object) {
      std::vector<std::string> programs;
      for (const function_symbol &f : s.object->functions())
        if (f.program) programs.push_back(f.name);
      roots = find_roots(base, programs);
      std::vector<std::uint32_t> root_ids;
      for (const map_declaration &m : roots.maps) {
        header.push_back(map_line(base, m));
        for (std::uint32_t id : {m.key, m.value})
          if (id) root_ids.push_back(id);
      }
      for (std::uint32_t id : roots.sections) root_ids.push_back(id);
      for (const program_context &c : roots.contexts) {
        header.push_back("program " + c.program + ": context " + spelled(base, c.type));
        root_ids.push_back(c.type);
      }
      ids = types_reachable(base, root_ids);
    } else {
      ids = all_named_types(base);
    }
    for (std::uint32_t id : ids) chosen.push_back({base, id, {}});
  }

  if (request.json) {
    detail::json_writer w;
    w.begin_object().field("source", s.main.origin);
    if (s.map) {
      w.key("map").begin_object().field("name", s.map->name).field("id", s.map->id).field("type", s.map->type);
      w.field("key_size", s.map->key_size).field("value_size", s.map->value_size);
      w.field("key_type", s.map->key_type ? spelled(base, s.map->key_type) : "");
      w.field("value_type", s.map->value_type ? spelled(base, s.map->value_type) : "");
      w.end_object();
    }
    if (s.object && request.types.empty()) {
      w.key("maps").begin_array();
      for (const map_declaration &m : roots.maps) {
        w.begin_object().field("name", m.name).field("type", m.type);
        w.field("key", m.key ? spelled(base, m.key) : "").field("value", m.value ? spelled(base, m.value) : "");
        w.end_object();
      }
      w.end_array();
      w.key("programs").begin_array();
      for (const program_context &c : roots.contexts)
        w.begin_object().field("name", c.program).field("context", spelled(base, c.type)).end_object();
      w.end_array();
    }
    w.key("types").begin_array();
    for (const located_type &t : chosen) detail::write_layout_json(w, lay_out(t.types, t.id, declarations_for(t.types)));
    w.end_array().end_object();
    return w.str();
  }

  std::string out;
  for (const std::string &line : header) out += "/* " + line + " */\n";
  for (const located_type &t : chosen) {
    if (!out.empty()) out += "\n";
    if (!t.module.empty()) out += "/* from module " + t.module + " */\n";
    out += layout_text(lay_out(t.types, t.id, declarations_for(t.types)));
  }
  if (chosen.empty()) out += "/* no types to show */\n";
  return out;
}

}  // namespace bpfkit::inspect
