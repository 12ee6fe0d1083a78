// bpfkit-skel: the typed C++ skeleton of a linked BPF object.
//
//   bpfkit-skel [--name NAME] -o OUT.skel.hpp OBJECT.bpf.o
//
// Reads the object's BTF (types, maps, global data sections) and its ELF
// (programs), and writes a header with the object embedded, its types as C++
// and a skeleton class owning it. The output depends only on the object's
// bytes and NAME, and is written atomically; on error no output is left (an
// earlier one is removed, so that nothing builds against a stale skeleton).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "bpf_object_info.hpp"
#include "cxx_names.hpp"
#include "output_file.hpp"
#include "skeleton_header.hpp"
#include "tool_error.hpp"

namespace bpfkit::skel {
namespace {

using tools::tool_error;
using tools::usage_error;

constexpr const char tool_name[] = "bpfkit-skel";
constexpr const char usage[] = "bpfkit-skel [--name NAME] -o OUT.skel.hpp OBJECT.bpf.o";
constexpr const char help[] =
    "Generates the C++ skeleton header of a linked BPF object (from bpfkit-link).\n"
    "\n"
    "  --name NAME  the C++ namespace of the skeleton (a C identifier; default:\n"
    "               the object's file name up to its first '.')\n"
    "  -o OUT       the header to write (replaced atomically; its directory is\n"
    "               created if missing)\n"
    "  --help       this text\n"
    "  --version    print the version\n"
    "\n"
    "The header embeds the object, so programs built with it need no .bpf.o at\n"
    "run time; its leading comment documents what it contains.\n"
    "\n"
    "Exit status: 0 ok, 2 bad command line, 3 bad input object, 5 internal error.\n";

struct options {
  std::string name;
  std::string output;
  std::string object;
  bool help = false;
};

// Accepts `--opt VALUE` and `--opt=VALUE`; returns true when `arg` is `name`.
bool option_value(std::string_view name, int &i, int argc, char **argv, std::string &out) {
  std::string_view arg = argv[i];
  if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
    out = std::string(arg.substr(name.size() + 1));
  } else if (arg == name) {
    if (i + 1 >= argc) throw usage_error(std::string(name) + " needs a value");
    out = argv[++i];
  } else {
    return false;
  }
  if (out.empty()) throw usage_error(std::string(name) + " needs a non-empty value");
  return true;
}

bool is_c_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

std::string file_name(const std::string &path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

options parse_options(int argc, char **argv) {
  options opts;
  std::string value;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg == "-" || !arg.starts_with("-")) {
      if (!opts.object.empty()) throw usage_error("more than one object given");
      opts.object = arg;
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--help" || arg == "-h") {
      opts.help = true;
    } else if (option_value("--name", i, argc, argv, value)) {
      opts.name = value;
    } else if (option_value("-o", i, argc, argv, value) ||
               option_value("--output", i, argc, argv, value)) {
      opts.output = value;
    } else {
      throw usage_error("unknown option " + std::string(arg));
    }
  }
  if (opts.help) return opts;
  if (opts.output.empty()) throw usage_error("no output file (-o OUT.skel.hpp)");
  if (opts.object.empty()) throw usage_error("no input object");
  if (opts.name.empty()) {
    std::string base = file_name(opts.object);
    opts.name = base.substr(0, base.find('.'));
  }
  if (!is_c_identifier(opts.name))
    throw usage_error("--name '" + opts.name +
                      "' cannot be a C++ namespace; use letters, digits and '_', not starting "
                      "with a digit");
  if (auto reason = namespace_reservation(opts.name); !reason.empty())
    throw usage_error("--name '" + opts.name + "' cannot be a C++ namespace: it is " +
                      std::string(reason));
  return opts;
}

int run(int argc, char **argv) {
  options opts = parse_options(argc, argv);
  if (opts.help) {
    std::printf("usage: %s\n\n%s", usage, help);
    return tools::exit_ok;
  }
  tools::route_libbpf_messages(tool_name);
  tools::remove_output_on_failure stale_output(opts.output);

  bpf_object_info object = read_bpf_object(opts.object, opts.name);
  std::string header = render_skeleton(object, opts.name, file_name(opts.object));

  tools::create_parent_directories(opts.output);
  tools::output_file out(opts.output);
  out.write(header);
  out.commit();
  stale_output.succeeded();
  return tools::exit_ok;
}

}  // namespace
}  // namespace bpfkit::skel

int main(int argc, char **argv) {
  using namespace bpfkit;
  return tools::run_tool(skel::tool_name, skel::usage, skel::run, argc, argv);
}
