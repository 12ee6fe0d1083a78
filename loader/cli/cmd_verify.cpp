// bpfkit verify OBJ [--program NAME]... [--log tail|full|none]
//                   [--max-entries MAP=N]... [--value-size MAP=BYTES]...
//
// Loads the object's programs and reports each one's verdict, through the
// runtime's load report (one failing program hides no other's). A failure
// is reported the way a compiler reports an error: the source file:line
// first (so editors can jump to it), then the source text, the instruction,
// the reason (the verifier's, or libbpf's own words for a failure before the
// verifier) and, for a rejection, the tail of the verifier's log.
#include <cstdio>
#include <string>
#include <vector>

#include "bpfkit/load.hpp"
#include "bpfkit/privileges.hpp"
#include "cli.hpp"
#include "object_loading.hpp"

namespace bpfkit::cli {
namespace {

constexpr std::size_t tail_lines = 20;

void indent_lines(const std::string &text, const char *prefix) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("%s%s\n", prefix, text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

void report_failure(const program_report &p, const std::string &log_mode) {
  std::string where = p.source && p.source->line
                          ? p.source->file + ":" + std::to_string(p.source->line) + ": "
                          : "";
  std::printf("%serror: %s\n", where.c_str(), p.summary().c_str());
  if (p.source && p.source->line && !p.source->text.empty())
    std::printf("  %5u | %s\n", p.source->line, p.source->text.c_str());
  if (p.insn && !p.insn_text.empty()) std::printf("  instruction %u: %s\n", *p.insn, p.insn_text.c_str());
  const std::string &message = p.verifier_message;
  if (message.find('\n') != std::string::npos) indent_lines(message.substr(message.find('\n') + 1), "  ");

  if (p.status != load_status::rejected || log_mode == "none") return;
  if (log_mode == "full") {
    std::printf("  verifier log:\n");
    indent_lines(p.log, "    ");
  } else {
    std::printf("  verifier log, last %zu lines (--log full for all):\n", tail_lines);
    indent_lines(verifier_log_tail(p.log, tail_lines), "    ");
  }
}

}  // namespace

int cmd_verify(arguments &args) {
  std::string log_mode = args.option("--log").value_or("tail");
  if (log_mode != "tail" && log_mode != "full" && log_mode != "none")
    throw usage_error("--log takes tail, full or none, not '" + log_mode + "'");
  std::vector<std::string> wanted = args.options("--program");
  map_sizes sizes = map_size_options(args);
  std::string path = args.positional("OBJ (a .bpf.o file)");
  args.finish();

  bpfkit::object object = open_object(path);
  apply_map_sizes(object, sizes);
  std::vector<std::string> available = program_names(object);
  require_programs(available, wanted);

  load_options options;
  options.programs = wanted.empty() ? available : wanted;
  options.log_level = log_level::stats | (log_mode == "full" ? log_level::trace : 0);
  load_report report = object.try_load(options);

  if (exit_code_of(report) == exit_no_privilege && !report.ok())
    throw cli_error(exit_no_privilege, no_privilege_message, privilege_hint);
  if (report.object_failure) {
    std::printf("error: %s: %s\n", path.c_str(), report.object_failure->verdict().c_str());
    std::printf("%zu of %zu programs failed\n", options.programs.size(), options.programs.size());
    return exit_failed;
  }
  std::size_t failed = 0;
  for (const std::string &name : options.programs) {
    const program_report *p = report.find(name);
    if (!p) continue;
    if (!p->failed()) {
      std::printf("%s (%s): accepted, %u instructions verified\n", name.c_str(), p->section.c_str(),
                  p->verified_insns);
      if (log_mode == "full") indent_lines(p->log, "    ");
      continue;
    }
    ++failed;
    report_failure(*p, log_mode);
  }
  if (failed) std::printf("%zu of %zu programs failed\n", failed, options.programs.size());
  return failed ? exit_failed : exit_ok;
}

}  // namespace bpfkit::cli
