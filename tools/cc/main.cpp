// bpfkit-cc: the compile launcher of the BPF language.
//
//   bpfkit-cc [--pch FILE] -- <launcher...> <compiler> <args...>
//
// CMake runs every BPF compile through it (RULE_LAUNCH_COMPILE). It adds
// `-include-pch FILE` when the source being compiled includes vmlinux.h first
// (see first_include.hpp), then replaces itself with the real command, which
// may start with the user's CMAKE_BPF_COMPILER_LAUNCHER (ccache...).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "first_include.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace fs = std::filesystem;
using namespace bpfkit::tools;

namespace {

constexpr const char *usage = "bpfkit-cc [--pch FILE] -- COMMAND [ARGS...]";

struct invocation {
  std::string pch;
  std::vector<std::string> command;
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
    if (arg == "--pch" && i + 1 < argc)
      inv.pch = argv[++i];
    else
      throw usage_error("unknown option '" + arg + "'");
  }
  for (; i < argc; ++i) inv.command.emplace_back(argv[i]);
  if (inv.command.empty()) throw usage_error("no compile command after --");
  return inv;
}

// The source file of a compile command: the argument after -c.
std::string compiled_source(const std::vector<std::string> &command) {
  for (std::size_t i = 0; i + 1 < command.size(); ++i)
    if (command[i] == "-c") return command[i + 1];
  return {};
}

// Why a source does or does not get the PCH; empty reason means it does.
std::string pch_refusal(const std::string &source, const std::string &pch) {
  if (pch.empty()) return "no vmlinux.h PCH configured";
  if (source.empty()) return "no -c <source> in the command";
  if (fs::path(source).extension() != ".c") return "not a C source";
  if (!fs::exists(pch)) return "the PCH " + pch + " has not been built";
  // A vmlinux.h next to the source is the user's own (another kernel's):
  // `#include "vmlinux.h"` finds it first, so the PCH would be the wrong one.
  if (fs::exists(fs::path(source).parent_path() / "vmlinux.h"))
    return "a vmlinux.h of its own sits next to it";
  if (first_include(read_file(source)) != "vmlinux.h") return "first include is not vmlinux.h";
  return {};
}

// BPFKIT_CC_EXPLAIN=1 says, per compile, whether the PCH was used and why.
void explain(const std::string &source, const std::string &refusal) {
  const char *flag = std::getenv("BPFKIT_CC_EXPLAIN");
  if (!flag || !*flag || std::string_view(flag) == "0") return;
  if (refusal.empty())
    std::fprintf(stderr, "bpfkit-cc: %s: using the vmlinux.h PCH\n", source.c_str());
  else
    std::fprintf(stderr, "bpfkit-cc: %s: no PCH: %s\n", source.c_str(), refusal.c_str());
}

int run(int argc, char **argv) {
  invocation inv = parse(argc, argv);
  const std::string source = compiled_source(inv.command);
  const std::string refusal = pch_refusal(source, inv.pch);
  explain(source, refusal);
  if (refusal.empty()) {
    inv.command.emplace_back("-include-pch");
    inv.command.push_back(inv.pch);
  }
  std::vector<char *> args;
  for (auto &word : inv.command) args.push_back(word.data());
  args.push_back(nullptr);
  execvp(args[0], args.data());
  throw tool_error(inv.command[0], std::string("cannot run the compiler: ") + std::strerror(errno));
}

}  // namespace

int main(int argc, char **argv) { return run_tool("bpfkit-cc", usage, run, argc, argv); }
