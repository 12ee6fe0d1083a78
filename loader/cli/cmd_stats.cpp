// bpfkit stats OBJ... [--format table|csv|json] [--program NAME]...
//
// Verifier statistics per program, from the runtime's load report (the
// kernel's statistics of each program; a program that fails is measured on
// its own). The CSV and JSON keys begin with veristat's names (so scripts
// written for `veristat -o csv` keep working), followed by bpfkit's own
// columns.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bpfkit/load.hpp"
#include "bpfkit/object_layout.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/text/json.hpp"
#include "cli.hpp"
#include "object_loading.hpp"

namespace bpfkit::cli {
namespace {

struct row {
  std::string file_name;
  std::string prog_name;
  bool accepted = false;
  std::uint64_t duration_us = 0;
  std::uint64_t total_insns = 0;
  std::uint64_t total_states = 0;
  std::uint64_t peak_states = 0;
  std::uint64_t max_states_per_insn = 0;
  std::uint64_t mark_read_max_len = 0;
  // bpfkit's columns
  std::string section;
  std::uint64_t stack_depth = 0;  // summed over subprograms, as veristat does
  std::string stack_detail;       // the verifier's "16+0": one figure per subprogram
  std::size_t core_relos = 0;
};

std::string basename_of(const std::string &path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::uint64_t sum_stack(const std::string &detail) {
  std::uint64_t total = 0, current = 0;
  for (char c : detail) {
    if (c >= '0' && c <= '9') {
      current = current * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
      total += current;
      current = 0;
    }
  }
  return total + current;
}

row measure(const std::string &path, const program_report &p, const program_layout *layout) {
  row r;
  r.file_name = basename_of(path);
  r.prog_name = p.name;
  r.accepted = p.status == load_status::accepted;
  r.section = p.section;
  if (p.stats) {
    r.duration_us = p.stats->duration_us.value_or(0);
    r.total_insns = p.stats->processed_insns;
    r.total_states = p.stats->total_states;
    r.peak_states = p.stats->peak_states;
    r.max_states_per_insn = p.stats->max_states_per_insn;
    r.mark_read_max_len = p.stats->mark_read;
    r.stack_detail = p.stats->stack_depth;
    r.stack_depth = sum_stack(p.stats->stack_depth);
  } else if (r.accepted) {
    r.total_insns = p.verified_insns;
  }
  if (layout) r.core_relos = layout->core_relos;
  return r;
}

const char *verdict(const row &r) { return r.accepted ? "success" : "failure"; }

// --- csv --------------------------------------------------------------------

std::string csv_field(const std::string &text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void print_csv(const std::vector<row> &rows) {
  std::printf("file_name,prog_name,verdict,duration,total_insns,total_states,peak_states,"
              "max_states_per_insn,mark_read_max_len,section,stack_depth,core_relos\n");
  for (const row &r : rows)
    std::printf("%s,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%s,%llu,%zu\n", csv_field(r.file_name).c_str(),
                csv_field(r.prog_name).c_str(), verdict(r),
                static_cast<unsigned long long>(r.duration_us),
                static_cast<unsigned long long>(r.total_insns),
                static_cast<unsigned long long>(r.total_states),
                static_cast<unsigned long long>(r.peak_states),
                static_cast<unsigned long long>(r.max_states_per_insn),
                static_cast<unsigned long long>(r.mark_read_max_len), csv_field(r.section).c_str(),
                static_cast<unsigned long long>(r.stack_depth), r.core_relos);
}

// --- json -------------------------------------------------------------------

void print_json(const std::vector<row> &rows) {
  std::printf("[");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const row &r = rows[i];
    std::printf("%s\n  {\"file_name\": %s, \"prog_name\": %s, \"verdict\": \"%s\", \"duration\": %llu, "
                "\"total_insns\": %llu, \"total_states\": %llu, \"peak_states\": %llu, "
                "\"max_states_per_insn\": %llu, \"mark_read_max_len\": %llu, \"section\": %s, "
                "\"stack_depth\": %llu, \"core_relos\": %zu}",
                i ? "," : "", text::json_quote(r.file_name).c_str(), text::json_quote(r.prog_name).c_str(),
                verdict(r), static_cast<unsigned long long>(r.duration_us),
                static_cast<unsigned long long>(r.total_insns),
                static_cast<unsigned long long>(r.total_states),
                static_cast<unsigned long long>(r.peak_states),
                static_cast<unsigned long long>(r.max_states_per_insn),
                static_cast<unsigned long long>(r.mark_read_max_len), text::json_quote(r.section).c_str(),
                static_cast<unsigned long long>(r.stack_depth), r.core_relos);
  }
  std::printf("%s]\n", rows.empty() ? "" : "\n");
}

// --- table ------------------------------------------------------------------

void print_table(const std::vector<row> &rows) {
  struct column {
    const char *title;
    bool numeric;
  };
  const std::vector<column> columns = {
      {"File", false},        {"Program", false},     {"Verdict", false},
      {"Duration (us)", true}, {"Insns", true},       {"States", true},
      {"Peak states", true},  {"Max states/insn", true}, {"Mark read", true},
      {"Stack", true},        {"CO-RE relos", true},
  };
  std::vector<std::vector<std::string>> cells;
  for (const row &r : rows) {
    std::string stack = std::to_string(r.stack_depth);
    if (r.stack_detail.find('+') != std::string::npos) stack += " (" + r.stack_detail + ")";
    cells.push_back({r.file_name, r.prog_name, verdict(r), std::to_string(r.duration_us),
                     std::to_string(r.total_insns), std::to_string(r.total_states),
                     std::to_string(r.peak_states), std::to_string(r.max_states_per_insn),
                     std::to_string(r.mark_read_max_len), stack, std::to_string(r.core_relos)});
  }
  std::vector<std::size_t> width;
  for (const column &c : columns) width.push_back(std::string(c.title).size());
  for (const auto &line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());

  auto print_line = [&](const std::vector<std::string> &line) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      std::string pad(width[i] - line[i].size(), ' ');
      out += i ? "  " : "";
      out += columns[i].numeric ? pad + line[i] : line[i] + (i + 1 < line.size() ? pad : "");
    }
    std::printf("%s\n", out.c_str());
  };
  std::vector<std::string> titles;
  for (const column &c : columns) titles.emplace_back(c.title);
  print_line(titles);
  std::vector<std::string> rule;
  for (std::size_t w : width) rule.emplace_back(w, '-');
  print_line(rule);
  for (const auto &line : cells) print_line(line);
}

}  // namespace

int cmd_stats(arguments &args) {
  std::string format = args.option("--format").value_or("table");
  if (format != "table" && format != "csv" && format != "json")
    throw usage_error("--format takes table, csv or json, not '" + format + "'");
  std::vector<std::string> wanted = args.options("--program");
  std::vector<std::string> paths = args.rest();
  args.finish();
  if (paths.empty()) throw usage_error("missing OBJ (one or more .bpf.o files)");

  // Check every input before loading anything, so a typo does not surface
  // after minutes of verification.
  struct input {
    std::string path;
    bpfkit::object object;
    std::vector<std::string> programs;
    std::map<std::string, program_layout> layouts;
  };
  std::vector<input> inputs;
  std::vector<std::string> all_programs;
  for (const std::string &path : paths) {
    input in{path, open_object(path), {}, read_program_layouts(path)};
    in.programs = program_names(in.object);
    all_programs.insert(all_programs.end(), in.programs.begin(), in.programs.end());
    inputs.push_back(std::move(in));
  }
  require_programs(all_programs, wanted);

  std::vector<row> rows;
  for (input &in : inputs) {
    load_options options;
    options.log_level = log_level::stats;
    for (const std::string &name : in.programs)
      if (wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end())
        options.programs.push_back(name);
    if (options.programs.empty()) continue;
    load_report report = in.object.try_load(options);
    if (!report.ok() && exit_code_of(report) == exit_no_privilege)
      throw cli_error(exit_no_privilege, no_privilege_message, privilege_hint);
    for (const std::string &name : options.programs) {
      const program_report *p = report.find(name);
      if (!p) continue;
      auto layout = in.layouts.find(name);
      rows.push_back(measure(in.path, *p, layout == in.layouts.end() ? nullptr : &layout->second));
    }
  }

  if (format == "csv")
    print_csv(rows);
  else if (format == "json")
    print_json(rows);
  else
    print_table(rows);

  std::size_t rejected = static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [](const row &r) { return !r.accepted; }));
  if (rejected)  // on stderr for csv and json, which scripts parse
    std::fprintf(format == "table" ? stdout : stderr,
                 "%zu of %zu programs failed (bpfkit verify shows why)\n", rejected, rows.size());
  return rejected ? exit_failed : exit_ok;
}

}  // namespace bpfkit::cli
