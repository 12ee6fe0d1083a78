// bpfkit-check: the C++ checks of BPF sources, and the compile step of C++
// BPF sources.
//
//   bpfkit-check -p BUILD_DIR [SOURCE...]
//       checks the C++ BPF sources of a compile database (all of them, or
//       the ones named), e.g. in CI or from an editor
//   bpfkit-check -- CLANG ARGS...
//       checks the source of one compile command
//   bpfkit-check --compile [--compiler CLANG] -- COMMAND...
//       the compile step: bpf_add_object() runs every compile of an object
//       with C++ sources through it. A C source is compiled unchanged. A C++
//       source is checked (source_checks.hpp), compiled, given C's names
//       and linkage and its test annotations (object_edit.hpp), and its
//       object checked (object_checks.hpp); a finding stops the build with
//       the file, line and fix, and removes the object.
//
// Exit status: 0 ok, 1 findings (or the compiler's own status), 2 usage,
// bad input and internal errors as every bpfkit tool (tools/common).
#include <sys/wait.h>
#include <unistd.h>

#include <clang/Tooling/CompilationDatabase.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/large_pages.hpp"
#include "compile_command.hpp"
#include "findings.hpp"
#include "object_checks.hpp"
#include "object_edit.hpp"
#include "output_file.hpp"
#include "source_checks.hpp"
#include "tool_error.hpp"

namespace bpfkit::check {
namespace {

using tools::exit_code;
using tools::tool_error;
using tools::usage_error;

constexpr const char tool_name[] = "bpfkit-check";
// A finding rejects the source, as a verifier rejection rejects a program
// (the CLI's 1); a file that cannot be read is bad input (tool_error).
constexpr int exit_findings = 1;
constexpr const char usage[] =
    "bpfkit-check -p BUILD_DIR [SOURCE...]\n"
    "       bpfkit-check -- CLANG ARGS...\n"
    "       bpfkit-check --compile [--compiler CLANG] -- COMMAND...";
constexpr const char help[] =
    "Checks C++ BPF sources for what clang compiles silently but the kernel or libbpf\n"
    "rejects or misreads: kernel struct reads without CO-RE, names C++ mangles, types\n"
    "whose BTF the kernel refuses. Each finding names the file, line and fix.\n"
    "\n"
    "  -p DIR          check the C++ BPF sources of DIR/compile_commands.json\n"
    "                  (all, or the SOURCEs named)\n"
    "  -- CLANG ARGS   check the source of this compile command\n"
    "  --compile       run COMMAND (a BPF compile) with the checks and the object\n"
    "                  edits that C++ sources need; C sources compile unchanged\n"
    "  --compiler C    the compiler within COMMAND (after launchers such as ccache)\n"
    "  --help          this text\n"
    "\n"
    "Exit status: 0 ok, 1 findings (or the compiler's status), 2 bad command line;\n"
    "an unusable input and an internal error as every bpfkit tool (docs/tools.md).\n";

#ifndef BPFKIT_CHECK_RESOURCE_DIR
#error "BPFKIT_CHECK_RESOURCE_DIR must name the builtin headers of the clang bpfkit-check links"
#endif

struct options {
  bool help = false;
  bool compile = false;
  std::string compiler;
  std::string database;
  std::vector<std::string> sources;  // with -p
  std::vector<std::string> command;  // after --
};

options parse_options(int argc, char **argv) {
  options opts;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--help" || arg == "-h") {
      opts.help = true;
    } else if (arg == "--compile") {
      opts.compile = true;
    } else if (arg == "--compiler") {
      opts.compiler = value();
    } else if (arg == "-p") {
      opts.database = value();
    } else if (!arg.starts_with("-") && !opts.database.empty()) {
      opts.sources.push_back(arg);
    } else {
      throw usage_error("unexpected argument '" + arg + "'");
    }
  }
  for (; i < argc; ++i) opts.command.emplace_back(argv[i]);
  if (opts.help) return opts;
  if (!opts.database.empty() && (!opts.command.empty() || opts.compile))
    throw usage_error("-p checks a compile database; it takes no command");
  if (opts.database.empty() && opts.command.empty())
    throw usage_error("give -p BUILD_DIR, or a compile command after --");
  if (!opts.compile && !opts.compiler.empty())
    throw usage_error("--compiler goes with --compile");
  return opts;
}

std::string current_directory() {
  std::error_code ec;
  return std::filesystem::current_path(ec).string();
}

// Runs `words` and returns its exit status (128 + signal if it died).
int run_command(const std::vector<std::string> &words) {
  std::vector<char *> args;
  for (const auto &word : words) args.push_back(const_cast<char *>(word.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) throw tool_error(words[0], std::string("cannot run: ") + std::strerror(errno));
  if (child == 0) {
    execvp(args[0], args.data());
    std::fprintf(stderr, "%s: error: %s: cannot run: %s\n", tool_name, args[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) throw tool_error(words[0], std::string("cannot wait: ") + std::strerror(errno));
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

[[noreturn]] void replace_with(const std::vector<std::string> &words) {
  std::vector<char *> args;
  for (const auto &word : words) args.push_back(const_cast<char *>(word.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  throw tool_error(words[0], std::string("cannot run: ") + std::strerror(errno));
}

// The clang of bpfkit-check parsed the source with errors: the compile will
// say what is wrong; if it compiles anyway, the checks could not run, which
// must not pass silently.
void report_unparsed(const compile_command &command, const std::vector<std::string> &errors) {
  std::string first = errors.empty() ? "" : errors.front();
  throw tool_error(command.source,
                   "bpfkit-check's clang cannot parse it, so its C++ checks could not run: " +
                       first,
                   "this clang (" BPFKIT_CHECK_CLANG_VERSION
                   ") and the compiler disagree about the source; write it so both accept it");
}

compile_command parse_or_usage(const std::vector<std::string> &words, const std::string &compiler) {
  try {
    return parse_compile_command(words, compiler, current_directory());
  } catch (const std::invalid_argument &e) {
    throw usage_error(e.what());
  }
}

int compile(const options &opts) {
  compile_command command = parse_or_usage(opts.command, opts.compiler);
  if (!is_cxx_source(command)) replace_with(command.words);

  // Ninja and make keep a failed step's output: a stale object must not
  // survive a failed check (tools/common/output_file.hpp).
  std::optional<tools::remove_output_on_failure> cleanup;
  if (!command.output.empty()) cleanup.emplace(command.output);

  source_analysis analysis = analyze_source(command, BPFKIT_CHECK_RESOURCE_DIR);
  if (!analysis.parse_errors.empty()) {
    int status = run_command(command.words);
    if (status != 0) return status;
    report_unparsed(command, analysis.parse_errors);
  }
  if (!analysis.findings.empty()) {
    report(analysis.findings, command.source);
    return exit_findings;
  }
  int status = run_command(command.words);
  if (status != 0) return status;
  if (command.output.empty()) throw usage_error("the compile command has no -o OUTPUT");
  edit_object(command.output, analysis.plan);
  std::vector<finding> findings = check_object(command.output, analysis.plan);
  if (!findings.empty()) {
    report(findings, command.source);
    return exit_findings;
  }
  if (cleanup) cleanup->succeeded();
  return exit_code::exit_ok;
}

int check_one(const compile_command &command) {
  source_analysis analysis = analyze_source(command, BPFKIT_CHECK_RESOURCE_DIR);
  if (!analysis.parse_errors.empty()) {
    for (const auto &error : analysis.parse_errors)
      std::fprintf(stderr, "%s: error: %s\n", tool_name, error.c_str());
    throw tool_error(command.source, "does not parse, so it cannot be checked",
                     "fix the compile errors first");
  }
  report(analysis.findings, command.source);
  return analysis.findings.empty() ? exit_code::exit_ok : exit_findings;
}

bool targets_bpf(const std::vector<std::string> &words) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    if ((words[i] == "-target" || words[i] == "--target") && i + 1 < words.size() &&
        words[i + 1].starts_with("bpf"))
      return true;
    if (words[i].starts_with("--target=bpf") || words[i].starts_with("-target=bpf")) return true;
  }
  return false;
}

int check_database(const options &opts) {
  std::string error;
  auto database = clang::tooling::CompilationDatabase::loadFromDirectory(opts.database, error);
  if (!database)
    throw tool_error(opts.database, "no compile database: " + error,
                     "configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON");
  std::vector<std::string> wanted;
  for (const auto &source : opts.sources)
    wanted.push_back(std::filesystem::weakly_canonical(source).string());
  int status = exit_code::exit_ok;
  std::size_t checked = 0;
  for (const auto &entry : database->getAllCompileCommands()) {
    std::vector<std::string> words(entry.CommandLine.begin(), entry.CommandLine.end());
    if (!targets_bpf(words)) continue;
    compile_command command;
    try {
      command = parse_compile_command(words, "", entry.Directory);
    } catch (const std::invalid_argument &) {
      continue;
    }
    if (!is_cxx_source(command)) continue;
    std::filesystem::path path = std::filesystem::path(entry.Directory) / command.source;
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), std::filesystem::weakly_canonical(path).string()) ==
            wanted.end())
      continue;
    ++checked;
    if (check_one(command) != exit_code::exit_ok) status = exit_findings;
  }
  if (checked == 0 && !wanted.empty())
    throw tool_error(opts.database, "none of the sources named is a C++ BPF source in its compile database");
  return status;
}

int run(int argc, char **argv) {
  options opts = parse_options(argc, argv);
  if (opts.help) {
    std::printf("usage: %s\n\n%s", usage, help);
    return exit_code::exit_ok;
  }
  tools::route_libbpf_messages(tool_name);
  if (opts.compile) return compile(opts);
  if (!opts.database.empty()) return check_database(opts);
  return check_one(parse_or_usage(opts.command, ""));
}

}  // namespace
}  // namespace bpfkit::check

int main(int argc, char **argv) {
  using namespace bpfkit;
  large_pages::use_for_heap();  // libclang's AST of the source and the C++ vmlinux.h
  return tools::run_tool(check::tool_name, check::usage, check::run, argc, argv);
}
