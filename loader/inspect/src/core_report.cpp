#include "bpfkit/inspect/core_report.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "bpfkit/inspect/error.hpp"
#include "json.hpp"

namespace bpfkit::inspect {
namespace {

bool is_exists_kind(bpf_core_relo_kind kind) {
  return kind == BPF_CORE_FIELD_EXISTS || kind == BPF_CORE_TYPE_EXISTS || kind == BPF_CORE_TYPE_MATCHES ||
         kind == BPF_CORE_ENUMVAL_EXISTS;
}

std::string number(bpf_core_relo_kind kind, std::uint64_t v) {
  if (kind == BPF_CORE_TYPE_ID_LOCAL || kind == BPF_CORE_TYPE_ID_TARGET) return "[" + std::to_string(v) + "]";
  if (kind == BPF_CORE_ENUMVAL_VALUE && static_cast<std::int64_t>(v) < 0)
    return std::to_string(static_cast<std::int64_t>(v));
  return std::to_string(v);
}

std::string file_base(const std::string &path) { return path.substr(path.find_last_of('/') + 1); }

std::string trimmed(const std::string &text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// The outcome of one relocation, after its access.
std::string outcome_text(const core_relocation &r) {
  const core_decision &d = r.decision;
  const auto kind = r.record.kind;
  switch (status_of(r)) {
    case core_status::resolved: {
      std::string text = number(kind, d.local_value) + " -> " + number(kind, d.target_value);
      if (kind == BPF_CORE_TYPE_ID_TARGET && !d.target_type.empty()) text += "  " + d.target_type;
      if (kind == BPF_CORE_FIELD_BYTE_OFFSET && d.target_size != d.local_size && d.local_size && d.target_size)
        text += "  (load size " + std::to_string(d.local_size) + " -> " + std::to_string(d.target_size) + " bytes)";
      if (is_exists_kind(kind) && d.target_value == 0 && !d.reason.empty()) text += "  (" + d.reason + ")";
      return text;
    }
    case core_status::fails_guarded:
      return "fails, guarded: " + d.reason;
    case core_status::fails:
      return "FAILS: " + d.reason;
    case core_status::error:
      return "ERROR: " + d.reason;
  }
  return {};
}

std::vector<const core_relocation *> relocations_of(const core_analysis &analysis, const std::string &function) {
  std::vector<const core_relocation *> list;
  for (const core_relocation &r : analysis.relocations)
    if (r.function == function) list.push_back(&r);
  std::stable_sort(list.begin(), list.end(),
                   [](const core_relocation *a, const core_relocation *b) { return a->insn < b->insn; });
  return list;
}

std::string plural(std::size_t n, const std::string &word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string function_title(const core_function &f) {
  std::string title = (f.symbol.program ? "program " : "subprogram ") + f.symbol.name;
  if (f.symbol.program) {
    title += " (" + f.symbol.section + ")";
  } else if (!f.callers.empty()) {
    title += " (called by ";
    for (std::size_t i = 0; i < f.callers.size(); ++i) title += (i ? ", " : "") + f.callers[i];
    title += ")";
  }
  return title;
}

}  // namespace

core_status status_of(const core_relocation &r) {
  switch (r.decision.what) {
    case core_decision::outcome::value: return core_status::resolved;
    case core_decision::outcome::poison: return r.reachable ? core_status::fails : core_status::fails_guarded;
    case core_decision::outcome::error: return core_status::error;
  }
  return core_status::error;
}

const char *status_name(core_status s) {
  switch (s) {
    case core_status::resolved: return "resolved";
    case core_status::fails_guarded: return "fails_guarded";
    case core_status::fails: return "fails";
    case core_status::error: return "error";
  }
  return "error";
}

std::vector<const core_function *> select_functions(const core_analysis &analysis,
                                                    const std::optional<std::string> &program) {
  std::vector<const core_function *> all;
  for (const core_function &f : analysis.functions) all.push_back(&f);
  if (!program) return all;
  auto find = [&](const std::string &name) -> const core_function * {
    for (const core_function &f : analysis.functions)
      if (f.symbol.name == name) return &f;
    return nullptr;
  };
  const core_function *start = find(*program);
  if (!start || !start->symbol.program) {
    std::string names;
    for (const core_function &f : analysis.functions)
      if (f.symbol.program) names += (names.empty() ? "" : ", ") + f.symbol.name;
    throw error(error::category::bad_input,
                "no program named '" + *program + "'; the object has: " + (names.empty() ? "none" : names));
  }
  std::vector<const core_function *> chosen;
  std::set<std::string> seen;
  std::deque<const core_function *> work{start};
  while (!work.empty()) {
    const core_function *f = work.front();
    work.pop_front();
    if (!f || !seen.insert(f->symbol.name).second) continue;
    chosen.push_back(f);
    for (const std::string &callee : f->callees) work.push_back(find(callee));
  }
  return chosen;
}

core_summary summarize(const core_analysis &analysis, const std::vector<const core_function *> &functions) {
  core_summary s;
  for (const core_function *f : functions)
    for (const core_relocation *r : relocations_of(analysis, f->symbol.name)) {
      ++s.relocations;
      switch (status_of(*r)) {
        case core_status::resolved: ++s.resolved; break;
        case core_status::fails_guarded: ++s.fails_guarded; break;
        case core_status::fails: ++s.fails; break;
        case core_status::error: ++s.errors; break;
      }
    }
  return s;
}

std::string core_text(const core_analysis &analysis, const std::vector<const core_function *> &functions) {
  const core_summary summary = summarize(analysis, functions);
  std::size_t programs = 0, with_relocations = 0;
  for (const core_function *f : functions) {
    programs += f->symbol.program;
    with_relocations += !relocations_of(analysis, f->symbol.name).empty();
  }
  std::string out = analysis.object + " against " + analysis.target + ": " +
                    plural(summary.relocations, "CO-RE relocation") + " in " +
                    plural(with_relocations, "function") + "\n";
  std::size_t access_width = 0;
  for (const core_function *f : functions)
    for (const core_relocation *r : relocations_of(analysis, f->symbol.name))
      access_width = std::max(access_width, std::min<std::size_t>(r->access.size(), 48));

  std::string errors;
  for (const core_function *f : functions) {
    const auto list = relocations_of(analysis, f->symbol.name);
    if (list.empty()) continue;
    out += "\n" + function_title(*f) + ": " + plural(list.size(), "relocation") + "\n";
    const line_record *shown = nullptr;
    for (const core_relocation *r : list) {
      if (!r->line) {
        if (shown || r == list.front()) out += "  (no line info)\n";
        shown = nullptr;
      } else if (!shown || shown->line != r->line->line || shown->file != r->line->file) {
        out += "  " + file_base(r->line->file) + ":" + std::to_string(r->line->line) + ": " +
               trimmed(r->line->text) + "\n";
        shown = &*r->line;
      }
      out += "    " + pad("insn " + std::to_string(r->insn), 10) + pad(core_kind_phrase(r->record.kind), 19) +
             pad(r->access, access_width) + "  " + outcome_text(*r) + "\n";
      const core_status status = status_of(*r);
      if (status == core_status::fails_guarded)
        out += "    " + std::string(10 + 19 + access_width + 2, ' ') + "libbpf poisons insn " +
               std::to_string(r->insn) + "; no path reaches it, so the verifier accepts the program\n";
      if (status != core_status::fails && status != core_status::error) continue;
      // Compiler-style, so that editors and CI annotate the line.
      const std::string where = r->line ? r->line->file + ":" + std::to_string(r->line->line) + ": "
                                        : analysis.object + ": ";
      errors += "\n" + where + "error: " + f->symbol.name + " insn " + std::to_string(r->insn) + ": " +
                core_kind_phrase(r->record.kind) + " " + r->access + ": " + r->decision.reason + "\n";
      if (r->line) errors += pad("", 5) + std::to_string(r->line->line) + " | " + trimmed(r->line->text) + "\n";
      if (status == core_status::fails)
        errors += "  libbpf poisons the instruction (call 0xbad2310) and the verifier rejects the program "
                  "because it can reach it (\"invalid func unknown#195896080\")\n"
                  "  hint: guard the access with bpf_core_field_exists() (or bpf_core_type_exists(), "
                  "bpf_core_enum_value_exists()), or read through a ___flavor of the type that this kernel has\n";
      else
        errors += "  libbpf refuses to load the object\n";
    }
  }
  if (summary.relocations == 0) out += "\nno CO-RE relocations\n";
  if (analysis.skipped)
    out += "\n" + plural(analysis.skipped, "relocation") +
           " of code libbpf does not load (\"?\" sections, eliminated weak functions) left out\n";
  out += errors;
  out += "\n" + plural(summary.relocations, "relocation") + ": " + std::to_string(summary.resolved) + " resolved";
  if (summary.fails_guarded) out += ", " + std::to_string(summary.fails_guarded) + " fail but are guarded";
  if (summary.fails) out += ", " + std::to_string(summary.fails) + " fail";
  if (summary.errors) out += ", " + std::to_string(summary.errors) + " stop the load";
  out += "\n";
  return out;
}

std::string core_json(const core_analysis &analysis, const std::vector<const core_function *> &functions) {
  detail::json_writer w;
  w.begin_object().field("object", analysis.object).field("target", analysis.target);
  w.key("functions").begin_array();
  for (const core_function *f : functions) {
    w.begin_object()
        .field("name", f->symbol.name)
        .field("section", f->symbol.section)
        .field("kind", f->symbol.program ? "program" : "subprogram");
    w.key("callers").begin_array();
    for (const std::string &c : f->callers) w.value(c);
    w.end_array();
    w.key("relocations").begin_array();
    for (const core_relocation *r : relocations_of(analysis, f->symbol.name)) {
      const core_decision &d = r->decision;
      const core_status status = status_of(*r);
      w.begin_object()
          .field("insn", r->insn)
          .field("kind", core_kind_name(r->record.kind))
          .field("access", r->access)
          .field("type_id", r->record.type_id)
          .field("access_string", r->record.access);
      if (r->line) {
        w.field("file", r->line->file).field("line", r->line->line).field("column", r->line->column);
        w.field("source", trimmed(r->line->text));
      }
      w.field("status", status_name(status));
      if (status != core_status::error) w.field("local_value", d.local_value);
      w.key("target_value");
      if (status == core_status::resolved) w.value(d.target_value);
      else w.null();
      if (!d.target_type.empty()) w.field("target_type", d.target_type);
      if (!d.reason.empty()) w.field("reason", d.reason);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  const core_summary s = summarize(analysis, functions);
  w.key("summary")
      .begin_object()
      .field("relocations", static_cast<std::uint64_t>(s.relocations))
      .field("resolved", static_cast<std::uint64_t>(s.resolved))
      .field("fails_guarded", static_cast<std::uint64_t>(s.fails_guarded))
      .field("fails", static_cast<std::uint64_t>(s.fails))
      .field("errors", static_cast<std::uint64_t>(s.errors))
      .end_object();
  w.end_object();
  return w.str();
}

}  // namespace bpfkit::inspect
