// bpfkit: the command-line companion of bpfkit's CMake functions, for one
// object at a time (see docs/cli.md).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/error.hpp"
#include "cli.hpp"
#include "libbpf_messages.hpp"
#include "object_loading.hpp"

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

namespace {

const std::vector<command> &commands() {
  static const std::vector<command> list = {
      {"verify", "OBJ [--program NAME]... [--log tail|full|none] [--max-entries MAP=N]... "
                 "[--value-size MAP=BYTES]...",
       "load each program without attaching it; show each one's verdict, a failure with its source line and reason",
       {}, cmd_verify},
      {"stats", "OBJ... [--format table|csv|json] [--program NAME]...",
       "verifier statistics per program (veristat's CSV/JSON names)", {}, cmd_stats},
      {"dump", "OBJ PROG [--raw]",
       "list a program's instructions (as translated by the kernel, or --raw as compiled) with source lines",
       {"--raw"}, cmd_dump},
      {"doctor", "",
       "check clang, kernel BTF, bpffs, privileges, libbpf, kernel and bpftool; say how to fix what is missing",
       {}, cmd_doctor},
      {"run", "OBJ PROG | PINNED-PROG [--data-in FILE | --packet SPEC] [--ctx-in FILE] [--repeat N] "
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
      {"map", "dump PINNED [--json] | lookup PINNED KEY [--json] | update PINNED KEY VALUE "
              "[--flags any|noexist|exist] [--cpu N] | delete PINNED KEY | watch PINNED [--count N] "
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
  };
  return list;
}

void print_usage(std::FILE *out) {
  std::fprintf(out, "usage: bpfkit [--verbose] <command> [arguments]\n\ncommands:\n");
  for (const command &c : commands()) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'bpfkit <command> --help' shows a command's arguments. Exit status: 0 ok, "
                    "1 failed (e.g. verifier rejection), 2 usage, 3 bad input, 4 no privilege, "
                    "5 internal error.\n");
}

// A runtime-library error, classified for the exit status.
exit_code classify(const bpfkit::error &e) {
  if (e.report()) return exit_code_of(*e.report());
  int code = e.code().value();
  if (code == EPERM) return exit_no_privilege;
  if (code == ENOENT || code == ENOEXEC || code == EBADF) return exit_bad_input;
  return exit_failed;
}

int report(const char *command, exit_code code, const std::string &message, const std::string &hint) {
  std::fprintf(stderr, "bpfkit %s: error: %s\n", command, message.c_str());
  if (!hint.empty()) std::fprintf(stderr, "  hint: %s\n", hint.c_str());
  // libbpf's details help only where bpfkit could not explain the failure.
  if (code == exit_bad_input || code == exit_internal) {
    std::string libbpf = libbpf_messages::captured();
    if (!libbpf.empty()) std::fprintf(stderr, "%s", libbpf.c_str());
  }
  return code;
}

int run(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool verbose = false;
  while (!args.empty() && args.front().starts_with("-")) {
    if (args.front() == "--verbose" || args.front() == "-v") {
      verbose = true;
    } else if (args.front() == "--help" || args.front() == "-h") {
      print_usage(stdout);
      return exit_ok;
    } else {
      std::fprintf(stderr, "bpfkit: error: unknown option %s\n", args.front().c_str());
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
    std::fprintf(stderr, "bpfkit: error: unknown command '%s'\n", args.front().c_str());
    print_usage(stderr);
    return exit_usage;
  }
  args.erase(args.begin());
  if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
    std::printf("usage: bpfkit %s %s\n\n%s\n", chosen->name, chosen->synopsis, chosen->summary);
    return exit_ok;
  }
  libbpf_messages::capture(verbose);
  try {
    arguments parsed(std::move(args), chosen->flag_names);
    return chosen->run(parsed);
  } catch (const usage_error &e) {
    report(chosen->name, exit_usage, e.what(), {});
    std::fprintf(stderr, "usage: bpfkit %s %s\n", chosen->name, chosen->synopsis);
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

int main(int argc, char **argv) { return bpfkit::cli::run(argc, argv); }
