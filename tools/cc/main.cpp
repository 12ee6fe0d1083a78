// bpfkit-cc: the compile launcher of the BPF language.
//
//   bpfkit-cc [--vmlinux FILE --pch-dir DIR] [--launcher WORD]... -- COMPILER ARGS...
//
// CMake runs every BPF compile through it (RULE_LAUNCH_COMPILE). It adds
// `-include-pch <pch>` when the source's first directive includes vmlinux.h
// and clang's own include search for this command line resolves it to FILE,
// bpfkit's generated header; the PCH is built for the command's exact flags
// (pch_cache.hpp). Then it replaces itself with the real command, prefixed by
// the launcher words (CMAKE_BPF_COMPILER_LAUNCHER: ccache, sccache, distcc).
// BPFKIT_CC_EXPLAIN=1 prints, per compile, whether the PCH was used and why.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bpfkit/large_pages.hpp"
#include "compile_command.hpp"
#include "first_include.hpp"
#include "include_search.hpp"
#include "output_file.hpp"
#include "pch_cache.hpp"
#include "tool_error.hpp"

namespace fs = std::filesystem;
using namespace bpfkit::tools;

namespace {

constexpr const char *usage =
    "bpfkit-cc [--vmlinux FILE --pch-dir DIR] [--launcher WORD]... -- COMPILER [ARGS...]";

struct invocation {
  std::string vmlinux;
  std::string pch_dir;
  std::vector<std::string> launcher;
  std::vector<std::string> command;  // compiler and its arguments
};

invocation parse(int argc, char **argv) {
  invocation inv;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) throw usage_error("option '" + arg + "' needs a value");
    if (arg == "--vmlinux")
      inv.vmlinux = argv[++i];
    else if (arg == "--pch-dir")
      inv.pch_dir = argv[++i];
    else if (arg == "--launcher")
      inv.launcher.emplace_back(argv[++i]);
    else
      throw usage_error("unknown option '" + arg + "'");
  }
  for (; i < argc; ++i) inv.command.emplace_back(argv[i]);
  if (inv.command.empty()) throw usage_error("no compile command after --");
  if (inv.vmlinux.empty() != inv.pch_dir.empty()) throw usage_error("--vmlinux and --pch-dir go together");
  return inv;
}

std::string base_name(const std::string &path) { return fs::path(path).filename().string(); }

// Launchers that compile on other machines: the PCH is not there (distcc
// sends preprocessed text, which the PCH does not shorten), so such compiles
// go without it. ccache forwards to one through CCACHE_PREFIX.
bool distributes(const std::vector<std::string> &launcher) {
  auto distributing = [](const std::string &word) {
    const std::string name = base_name(word);
    return name == "distcc" || name == "icecc" || name == "icecream" || name == "pump";
  };
  for (const auto &word : launcher)
    if (distributing(word)) return true;
  if (!launcher.empty() && base_name(launcher[0]).starts_with("ccache")) {
    const char *prefix = std::getenv("CCACHE_PREFIX");
    if (prefix && distributing(prefix)) return true;
  }
  return false;
}

struct decision {
  std::string pch;      // the PCH to use, or ""
  std::string refusal;  // why not
};

decision decide(const invocation &inv, const compile_command &cmd) {
  if (inv.vmlinux.empty()) return {{}, "no vmlinux.h is configured (BPF_VMLINUX_BTF has no BTF)"};
  if (const char *off = std::getenv("BPFKIT_CC_PCH"); off && std::string_view(off) == "0")
    return {{}, "BPFKIT_CC_PCH=0"};
  if (cmd.source.empty()) return {{}, "no -c <source> in the command"};
  const std::string language = source_language(cmd.source);
  if (language.empty()) return {{}, "not a C or C++ source"};
  std::string text;
  try {
    text = read_file(cmd.source);
  } catch (const tool_error &) {
    return {{}, "cannot read the source"};  // the compiler will say why
  }
  const auto include = first_include(text);
  if (!include || include->name != "vmlinux.h") return {{}, "first include is not vmlinux.h"};
  if (!cmd.unsupported.empty()) return {{}, cmd.unsupported};
  if (distributes(inv.launcher)) return {{}, "the launcher " + inv.launcher[0] + " compiles on other machines"};

  const fs::path cwd = fs::current_path();
  const auto found = resolve_include(*include, cmd.source, cmd, cwd);
  std::error_code ec;
  const std::string spelled = include->angled ? "<vmlinux.h>" : "\"vmlinux.h\"";
  if (!found)
    return {{}, "#include " + spelled + " is not found in the command's include directories"};
  if (!fs::equivalent(found->file, inv.vmlinux, ec))
    return {{}, "#include " + spelled + " resolves to " + found->file.string() + ", not bpfkit's generated " +
                    inv.vmlinux + " (it comes first in the include path: " + found->dir.string() + ")"};

  pch_request request;
  request.compiler = cmd.compiler;
  request.args = cmd.pch_args;
  request.language = language;
  request.angled = include->angled;
  request.vmlinux = inv.vmlinux;
  request.cache_dir = inv.pch_dir;
  request.cwd = cwd;
  request.depends_on_cwd = cmd.relative_search_dir;
  // A compiler cache keys on the command line: give it the same one every time.
  request.wait_for_builder = !inv.launcher.empty();
  pch_result result = obtain_pch(request);
  return {result.pch.string(), result.refusal};
}

// ccache caches compiles that use a PCH only with sloppiness pch_defines and
// time_macros ("Could not use precompiled header" otherwise). Both are safe
// here: the PCH path encodes every flag and vmlinux.h's content, and ccache
// hashes the PCH itself. Adds them to the user's sloppiness.
void allow_ccache_pch(const std::vector<std::string> &launcher) {
  if (launcher.empty() || !base_name(launcher[0]).starts_with("ccache")) return;
  std::string sloppiness;
  if (const char *env = std::getenv("CCACHE_SLOPPINESS")) {
    sloppiness = env;
  } else {
    // The configured value (ccache.conf): the variable replaces it.
    std::string quoted;
    for (char c : launcher[0]) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    const std::string query = "'" + quoted + "' --get-config sloppiness 2>/dev/null";
    if (FILE *pipe = ::popen(query.c_str(), "r")) {
      char line[512];
      if (std::fgets(line, sizeof line, pipe)) sloppiness = line;
      ::pclose(pipe);
    }
    while (!sloppiness.empty() && (sloppiness.back() == '\n' || sloppiness.back() == ' ')) sloppiness.pop_back();
  }
  for (const char *needed : {"pch_defines", "time_macros"})
    if (sloppiness.find(needed) == std::string::npos) sloppiness += (sloppiness.empty() ? "" : ",") + std::string(needed);
  ::setenv("CCACHE_SLOPPINESS", sloppiness.c_str(), 1);
}

void explain(const std::string &source, const decision &d) {
  const char *flag = std::getenv("BPFKIT_CC_EXPLAIN");
  if (!flag || !*flag || std::string_view(flag) == "0") return;
  if (d.refusal.empty())
    std::fprintf(stderr, "bpfkit-cc: %s: using the vmlinux.h PCH %s\n", source.c_str(), d.pch.c_str());
  else
    std::fprintf(stderr, "bpfkit-cc: %s: no PCH: %s\n", source.c_str(), d.refusal.c_str());
}

int run(int argc, char **argv) {
  invocation inv = parse(argc, argv);
  // clang (the PCH's and the compile's) with large pages for its heap:
  // building the AST of vmlinux.h touches tens of MiB (see large_pages.hpp).
  ::setenv("GLIBC_TUNABLES", bpfkit::large_pages::tunables_for_child(std::getenv("GLIBC_TUNABLES")).c_str(), 1);
  const compile_command cmd = parse_compile_command(inv.command);
  decision d;
  try {
    d = decide(inv, cmd);
  } catch (const std::exception &e) {
    // Never a failed compile because of the PCH: compile without it.
    d = {{}, std::string("the PCH could not be prepared: ") + e.what()};
  }
  explain(cmd.source, d);

  std::vector<std::string> command = inv.launcher;
  command.insert(command.end(), inv.command.begin(), inv.command.end());
  if (d.refusal.empty()) {
    command.emplace_back("-include-pch");
    command.push_back(d.pch);
    allow_ccache_pch(inv.launcher);
  }
  std::vector<char *> args;
  for (auto &word : command) args.push_back(word.data());
  args.push_back(nullptr);
  execvp(args[0], args.data());
  throw tool_error(command[0], std::string("cannot run the compiler: ") + std::strerror(errno));
}

}  // namespace

int main(int argc, char **argv) { return run_tool("bpfkit-cc", usage, run, argc, argv); }
