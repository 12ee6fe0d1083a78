// bpfkit verify OBJ [--program NAME]... [--log tail|full|none]
//
// Loads each program on its own and reports the verifier's verdict. A
// rejection is reported the way a compiler reports an error: the source
// file:line of the failing instruction first (so editors can jump to it),
// then the source text, the instruction, the verifier's reason and the tail
// of its log.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"
#include "terminal.hpp"
#include "bpfkit/object_layout.hpp"
#include "verification.hpp"

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

void report_rejection(const verification &v, const std::string &log_mode, const program_layout *layout) {
  auto failure = find_verifier_failure(v.log);
  if (failure) locate_source(*failure, layout);
  std::string reason = failure ? failure->message : "rejected (the verifier gave no reason)";
  std::string first_line = reason.substr(0, reason.find('\n'));
  std::string where = failure && failure->source && failure->source->line
                          ? failure->source->file + ":" + std::to_string(failure->source->line) + ": "
                          : "";
  std::printf("%s%s program %s (%s) %s: %s\n", where.c_str(), paint(stdout, tone::error, "error:").c_str(),
              v.program.c_str(), v.section.c_str(), paint(stdout, tone::error, "rejected by the verifier").c_str(),
              first_line.c_str());
  if (failure && failure->source)
    std::printf("  %5u | %s\n", failure->source->line, failure->source->text.c_str());
  if (failure && failure->insn)
    std::printf("  instruction %u: %s\n", *failure->insn, failure->insn_text.c_str());
  if (reason.find('\n') != std::string::npos) indent_lines(reason.substr(reason.find('\n') + 1), "  ");

  if (log_mode == "none") return;
  if (log_mode == "full") {
    std::printf("  verifier log:\n");
    indent_lines(v.log, "    ");
  } else {
    std::printf("  verifier log, last %zu lines (--log full for all):\n", tail_lines);
    indent_lines(verifier_log_tail(v.log, tail_lines), "    ");
  }
}

}  // namespace

int cmd_verify(arguments &args) {
  std::string log_mode = args.option("--log").value_or("tail");
  if (log_mode != "tail" && log_mode != "full" && log_mode != "none")
    throw usage_error("--log takes tail, full or none, not '" + log_mode + "'");
  std::vector<std::string> wanted = args.options("--program");
  std::string path = args.positional("OBJ (a .bpf.o file)");
  args.finish();

  require_bpf_object_file(path);
  std::vector<std::string> available = program_names(path);
  require_programs(available, wanted);
  if (wanted.empty()) wanted = available;

  const std::map<std::string, program_layout> layouts = read_program_layouts(path);
  int rejected = 0;
  for (const std::string &name : wanted) {
    verification v = verify_program(path, name, log_mode == "full");
    if (v.error == 0) {
      std::printf("%s (%s): %s, %u instructions verified\n", name.c_str(), v.section.c_str(),
                  paint(stdout, tone::good, "accepted").c_str(), v.verified_insns);
      if (log_mode == "full") indent_lines(v.log, "    ");
    } else {
      ++rejected;
      auto layout = layouts.find(name);
      report_rejection(v, log_mode, layout == layouts.end() ? nullptr : &layout->second);
    }
  }
  if (rejected)
    std::printf("%d of %zu programs rejected\n", rejected, wanted.size());
  return rejected ? exit_failed : exit_ok;
}

}  // namespace bpfkit::cli
