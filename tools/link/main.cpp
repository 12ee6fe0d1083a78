// bpfkit-link: the link rule of the BPF language.
//
//   bpfkit-link -o OUT.bpf.o IN.o [IN.o ...]
//
// Links BPF objects with libbpf's bpf_linker into one object that keeps BTF
// and BTF.ext but no DWARF, after checking the mistakes that otherwise surface
// only at load time or as obscure libbpf messages. Every input is checked by
// bpfkit::object_check before libbpf sees it (libbpf 1.1 crashes on malformed
// objects), and libbpf reads exactly the checked bytes. The output is written
// atomically (bpfkit::file_io) only when every check passed; the result
// depends only on the inputs' bytes, so reruns are byte-identical.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/large_pages.hpp"
#include "diagnostics.hpp"
#include "elf_object.hpp"
#include "input_checks.hpp"
#include "linker.hpp"
#include "output_checks.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::link {
namespace {

using tools::tool_error;
using tools::usage_error;

constexpr const char *usage = "bpfkit-link -o OUT.bpf.o IN.o [IN.o ...]";

constexpr const char *help_text =
    "Links BPF object files (clang -target bpf -g -c) into one BPF object.\n"
    "\n"
    "The output keeps .BTF and .BTF.ext and drops DWARF. It is written only when\n"
    "the inputs are well-formed BPF ELF objects with BTF (little- or big-endian,\n"
    "all of one byte order), section names are printable ASCII, some input has a\n"
    "license section, program names are unique and not C++-mangled, and every\n"
    "extern is defined by an input or is a __kconfig/__ksym extern resolved at\n"
    "load time. On error any previous OUT is removed.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT   the linked object to write\n"
    "  -h, --help         show this help\n"
    "  --version          print the version\n"
    "\n"
    "Exit status: 0 linked, 2 usage error, 3 bad input, 5 internal error.\n";

struct arguments {
  std::string output;
  std::vector<std::string> inputs;
  bool help = false;
};

arguments parse_arguments(int argc, char **argv) {
  arguments args;
  bool options_done = false;
  auto set_output = [&](std::string value) {
    if (!args.output.empty()) throw usage_error("-o given more than once");
    if (value.empty()) throw usage_error("-o needs a file name");
    args.output = std::move(value);
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg == "-" || !arg.starts_with("-")) {
      args.inputs.emplace_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "-h" || arg == "--help") {
      args.help = true;
    } else if (arg == "-o" || arg == "--output") {
      if (i + 1 >= argc) throw usage_error(std::string(arg) + " needs a file name");
      set_output(argv[++i]);
    } else if (arg.starts_with("--output=")) {
      set_output(std::string(arg.substr(9)));
    } else if (arg.starts_with("-o")) {
      set_output(std::string(arg.substr(2)));
    } else {
      throw usage_error("unknown option " + std::string(arg));
    }
  }
  if (args.help) return args;
  if (args.output.empty()) throw usage_error("no output file (-o OUT.bpf.o)");
  if (args.inputs.empty()) throw usage_error("no input objects");
  return args;
}

bool same_file(const struct stat &a, const struct stat &b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Refuses to overwrite an input (the failure path would delete it) and
// reports an input given twice, which would define everything in it twice.
// Returns the inputs without such repeats, for the checks that follow.
std::vector<std::string> distinct_inputs(const arguments &args, diagnostics &errors) {
  struct stat out {};
  bool output_exists = stat(args.output.c_str(), &out) == 0;
  std::vector<std::string> distinct;
  std::vector<struct stat> seen;
  for (const auto &input : args.inputs) {
    struct stat in {};
    if (stat(input.c_str(), &in) != 0) {  // reported when the input is read
      distinct.push_back(input);
      continue;
    }
    if (output_exists && same_file(in, out))
      throw usage_error("the output " + args.output + " is also an input");
    bool repeated = false;
    for (const auto &other : seen) repeated = repeated || same_file(in, other);
    if (repeated) {
      errors.add(tool_error(input, "is given more than once",
                            "list each object once; its programs, maps and variables would be "
                            "defined twice"));
      continue;
    }
    seen.push_back(in);
    distinct.push_back(input);
  }
  return distinct;
}

// What libbpf wrote, checked as any input is: a failure is a bug (libbpf's
// or bpfkit's), not a problem of the user's inputs.
elf_object checked_output(const std::string &name, std::string bytes) {
  try {
    return parse_bpf_object(name, std::move(bytes));
  } catch (const tool_error &e) {
    throw std::logic_error(std::string("libbpf's linker wrote an object that fails the checks: ") +
                           e.what());
  }
}

int link_main(int argc, char **argv) {
  arguments args = parse_arguments(argc, argv);
  if (args.help) {
    std::printf("usage: %s\n\n%s", usage, help_text);
    return tools::exit_ok;
  }
  tools::route_libbpf_messages(tool_name);
  diagnostics errors;
  // May throw usage_error, which must happen before OUT is touched.
  std::vector<std::string> paths = distinct_inputs(args, errors);
  tools::remove_output_on_failure stale_output(args.output);

  std::vector<elf_object> inputs;
  for (const auto &path : paths) {
    try {
      inputs.push_back(read_bpf_object(path));
    } catch (const tool_error &e) {
      errors.add(e);  // keep going: report every bad input in one run
    }
  }
  for (const auto &input : inputs) check_input(input, errors);
  // Cross-input checks make sense only when every input could be read.
  if (inputs.size() == paths.size()) check_inputs_together(inputs, args.output, errors);
  errors.throw_if_any();

  elf_object linked = checked_output(args.output, link_objects(inputs, args.output));
  check_linked_object(linked, inputs, errors);
  errors.throw_if_any();

  tools::output_file output(args.output);  // removes its temporary unless committed
  output.write(linked.bytes);
  output.commit();
  stale_output.succeeded();
  return tools::exit_ok;
}

}  // namespace
}  // namespace bpfkit::link

int main(int argc, char **argv) {
  using namespace bpfkit;
  large_pages::use_for_heap();
  return tools::run_tool(link::tool_name, link::usage, link::link_main, argc, argv);
}
