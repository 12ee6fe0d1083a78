// bpfkit: the command-line companion of bpfkit's CMake functions, for one
// object at a time (see docs/cli.md).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/large_pages.hpp"
#include "bpfkit/libbpf_messages.hpp"
#include "bpfkit/version.hpp"
#include "cli.hpp"
#include "help.hpp"
#include "object_loading.hpp"
#include "terminal.hpp"

namespace bpfkit::cli {

int cmd_verify(arguments &);
int cmd_stats(arguments &);
int cmd_dump(arguments &);
int cmd_doctor(arguments &);
int cmd_run(arguments &);
int cmd_load(arguments &);
int cmd_attach(arguments &);
int cmd_map(arguments &);
int cmd_unpin(arguments &);
int cmd_init(arguments &);
int cmd_btf(arguments &);
int cmd_core(arguments &);
int cmd_list(arguments &);

namespace {

const std::vector<command> &commands() {
  static const std::vector<command> list = {
      {"verify", "OBJ [--program NAME]... [--log tail|full|none] [--max-entries MAP=N]... "
                 "[--value-size MAP=BYTES]...",
       "load each program without attaching it; show each one's verdict, a failure with its source line and reason",
       {}, cmd_verify},
      {"stats", "OBJ... [--format table|csv|json] [--program NAME]...",
       "verifier statistics per program (veristat's CSV/JSON names)", {}, cmd_stats},
      {"dump", "OBJ PROG [--raw] | PINNED-PROG|id:N",
       "list a program's instructions (as translated by the kernel, or --raw as compiled) with source lines",
       {"--raw"}, cmd_dump},
      {"doctor", "",
       "check clang, kernel BTF, bpffs, privileges, libbpf, kernel and bpftool; say how to fix what is missing",
       {}, cmd_doctor},
      {"run", "OBJ PROG | PINNED-PROG|id:N [--data-in FILE | --packet SPEC] [--ctx-in FILE] [--repeat N] "
              "[--data-out FILE] [--max-entries MAP=N]... [--value-size MAP=BYTES]... [--coverage FILE.info] "
              "[--json]",
       "test-run a program; print its return value, duration, output packet and the map entries it changed",
       {"--json"}, cmd_run},
      {"load", "OBJ --pin DIR [--max-entries MAP=N]... [--value-size MAP=BYTES]...",
       "load every program and pin programs at DIR/progs/NAME and maps at DIR/maps/NAME (DIR on bpffs)",
       {}, cmd_load},
      {"attach", "OBJ PROG [--xdp IF | --tc IF[:ingress|:egress] | --tracepoint CAT:NAME | "
                 "--kprobe FN | --kretprobe FN] [--pin DIR] [--max-entries MAP=N]... "
                 "[--value-size MAP=BYTES]...",
       "attach a program; until Ctrl-C, or with --pin until 'bpfkit unpin DIR'",
       {}, cmd_attach},
      {"map", "dump PINNED|id:N [--json] | lookup PINNED|id:N KEY [--json] | update PINNED|id:N KEY VALUE "
              "[--flags any|noexist|exist] [--cpu N] | delete PINNED|id:N KEY | watch PINNED|id:N [--count N] "
              "[--timeout SEC] [--type NAME [--btf OBJ]] [--json]",
       "read and write a pinned map by BTF (structs by field name); watch ring buffers and perf buffers",
       {"--json"}, cmd_map},
      {"unpin", "DIR",
       "remove what bpfkit pinned under DIR (progs/, maps/, links/) and nothing else",
       {}, cmd_unpin},
      {"init", "DIR [--name NAME]",
       "start a project in DIR: CMake, an XDP program, a loader with its skeleton, tests",
       {}, cmd_init},
      {"btf", "OBJ|PINNED-MAP|id:N [TYPE]... | --kernel [TYPE]... [--compare KERNEL-BTF] [--json]",
       "types as C with every field's offset and size, holes and padding; or how they differ on another kernel",
       {"--kernel", "--json"}, cmd_btf},
      {"core", "OBJ [--btf KERNEL-BTF] [--program NAME] [--json]",
       "every CO-RE relocation with its source line and how it resolves on this kernel or KERNEL-BTF",
       {"--json"}, cmd_core},
      {"list", "[progs|maps|links] [id:N]... [--pinned PATH] [--json]",
       "what is loaded: ids, types, names, tags, verified instructions, maps, pins and attach points",
       {"--json"}, cmd_list},
      {"help", "[COMMAND [SUBCOMMAND]]", "show a command's options, examples and exit status", {}, nullptr},
  };
  return list;
}

void print_usage(std::FILE *out) { print_overview(commands(), out); }

// "bpfkit[ <command>]: error: <message>", coloured on a terminal.
void print_error(const std::string &who, const std::string &message) {
  std::fprintf(stderr, "%s: %s %s\n", who.c_str(), paint(stderr, tone::error, "error:").c_str(), message.c_str());
}

// --color WHEN / --color=WHEN, taken out of `args` wherever it stands before
// "--" (users add it at the end as often as at the front).
std::optional<color_mode> take_color_option(std::vector<std::string> &args) {
  std::optional<color_mode> mode;
  for (std::size_t i = 0; i < args.size() && args[i] != "--";) {
    std::string value;
    std::size_t taken = 1;
    if (args[i] == "--color") {
      if (i + 1 >= args.size()) throw usage_error("--color needs a value: auto, always or never");
      value = args[i + 1];
      taken = 2;
    } else if (args[i].starts_with("--color=")) {
      value = args[i].substr(8);
    } else {
      ++i;
      continue;
    }
    mode = parse_color_mode(value);
    if (!mode) throw usage_error("--color takes auto, always or never, not '" + value + "'");
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + taken));
  }
  return mode;
}

// Whether --help or -h stands among `args` before "--".
bool asks_for_help(const std::vector<std::string> &args) {
  for (const std::string &arg : args) {
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

// A runtime-library error, classified for the exit status.
exit_code classify(const bpfkit::error &e) {
  if (e.report()) return exit_code_of(*e.report());
  if (dynamic_cast<const bpfkit::malformed_object *>(&e)) return exit_bad_input;
  int code = e.code().value();
  if (code == EPERM) return exit_no_privilege;
  if (code == ENOENT || code == ENOEXEC || code == EBADF) return exit_bad_input;
  return exit_failed;
}

int report(const char *command, exit_code code, const std::string &message, const std::string &hint) {
  print_error(std::string("bpfkit ") + command, message);
  if (!hint.empty()) std::fprintf(stderr, "  %s %s\n", paint(stderr, tone::hint, "hint:").c_str(), hint.c_str());
  // libbpf's details help only where bpfkit could not explain the failure.
  if (code == exit_bad_input || code == exit_internal) {
    std::string libbpf = bpfkit::kept_libbpf_messages();
    if (!libbpf.empty()) std::fprintf(stderr, "%s", libbpf.c_str());
  }
  return code;
}

int run(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool verbose = false;
  try {
    configure_colors(take_color_option(args).value_or(color_mode::automatic));
  } catch (const usage_error &e) {
    configure_colors(color_mode::automatic);
    print_error("bpfkit", e.what());
    return exit_usage;
  }
  while (!args.empty() && args.front().starts_with("-")) {
    if (args.front() == "--verbose" || args.front() == "-v") {
      verbose = true;
    } else if (args.front() == "--help" || args.front() == "-h") {
      print_usage(stdout);
      return exit_ok;
    } else if (args.front() == "--version") {
      std::printf("bpfkit %s\n", bpfkit::version);
      return exit_ok;
    } else {
      print_error("bpfkit", "unknown option " + args.front());
      print_usage(stderr);
      return exit_usage;
    }
    args.erase(args.begin());
  }
  if (args.empty()) {
    print_usage(stderr);
    return exit_usage;
  }
  const command *chosen = nullptr;
  for (const command &c : commands())
    if (args.front() == c.name) chosen = &c;
  if (!chosen) {
    print_error("bpfkit", "unknown command '" + args.front() + "'");
    print_usage(stderr);
    return exit_usage;
  }
  args.erase(args.begin());
  // The subcommand named first (map dump...), for its own help and usage.
  const std::string sub = !args.empty() && has_subcommand(*chosen, args.front()) ? args.front() : std::string();
  if (chosen->run == nullptr || asks_for_help(args)) {  // `help TOPIC...`, or --help
    std::vector<std::string> topic = {chosen->name};
    if (chosen->run == nullptr) {
      topic = args;
      if (asks_for_help(args)) topic = {chosen->name};
    } else if (!sub.empty()) {
      topic.push_back(sub);
    }
    try {
      print_command_help(commands(), topic, stdout);
    } catch (const usage_error &e) {
      print_error(std::string("bpfkit ") + chosen->name, e.what());
      return exit_usage;
    }
    return exit_ok;
  }
  bpfkit::keep_libbpf_messages(verbose);
  try {
    arguments parsed(std::move(args), chosen->flag_names);
    return chosen->run(parsed);
  } catch (const usage_error &e) {
    report(chosen->name, exit_usage, e.what(), {});
    std::fprintf(stderr, "%s\n", usage_line(*chosen, sub).c_str());
    return exit_usage;
  } catch (const cli_error &e) {
    return report(chosen->name, e.code(), e.what(), e.hint());
  } catch (const bpfkit::error &e) {
    return report(chosen->name, classify(e), e.what(), {});
  } catch (const std::exception &e) {
    return report(chosen->name, exit_internal, std::string("internal error: ") + e.what(), {});
  }
}

}  // namespace
}  // namespace bpfkit::cli

int main(int argc, char **argv) {
  bpfkit::large_pages::use_for_heap();
  return bpfkit::cli::run(argc, argv);
}
