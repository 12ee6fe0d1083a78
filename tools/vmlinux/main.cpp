// bpfkit-vmlinux: writes vmlinux.h from a kernel's BTF, without bpftool.
//
//   bpfkit-vmlinux [--btf FILE] [--base FILE] [--cxx] -o OUT
//
// The output matches `bpftool btf dump file FILE format c` (or, with --cxx,
// is the C++ view of cxx_header.hpp), is deterministic and is written
// atomically, so a build never sees a truncated header. Its first line
// fingerprints the inputs; an output that already has it is left untouched
// (up_to_date.hpp).
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "btf_file.hpp"
#include "bpfkit/large_pages.hpp"
#include "c_header.hpp"
#include "cxx_header.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"
#include "up_to_date.hpp"

namespace bpfkit::tools {
namespace {

constexpr const char tool_name[] = "bpfkit-vmlinux";
constexpr const char usage[] = "bpfkit-vmlinux [--btf FILE] [--base FILE] [--cxx] -o OUT";
constexpr const char help[] =
    "Generates vmlinux.h (all kernel types as C) from a BTF file.\n"
    "\n"
    "  --btf FILE   raw BTF or an ELF file with a .BTF section\n"
    "               (default: /sys/kernel/btf/vmlinux, the running kernel)\n"
    "  --base FILE  base BTF when FILE is split BTF, e.g. a kernel module's\n"
    "               /sys/kernel/btf/<module> on /sys/kernel/btf/vmlinux\n"
    "  --cxx        write the header for C++ BPF sources (layout-checked,\n"
    "               CO-RE-annotated kernel types)\n"
    "  -o OUT       the header to write (replaced atomically; left untouched,\n"
    "               mtime included, when it is already what these inputs make)\n"
    "  --help       this text\n"
    "  --version    print the version\n"
    "\n"
    "Exit status: 0 ok, 2 bad command line, 3 bad input file, 5 internal error.\n";

struct options {
  std::string btf = "/sys/kernel/btf/vmlinux";
  std::optional<std::string> base;
  std::string output;
  bool cxx = false;
  bool help = false;
};

// Accepts `--opt VALUE` and `--opt=VALUE`; returns the value when `arg` is `name`.
std::optional<std::string> option_value(std::string_view name, int &i, int argc, char **argv) {
  std::string_view arg = argv[i];
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=')
    return std::string(arg.substr(name.size() + 1));
  if (arg != name) return std::nullopt;
  if (i + 1 >= argc) throw usage_error(std::string(name) + " needs a value");
  return std::string(argv[++i]);
}

options parse_options(int argc, char **argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      opts.help = true;
    } else if (arg == "--cxx") {
      opts.cxx = true;
    } else if (auto btf = option_value("--btf", i, argc, argv)) {
      opts.btf = *btf;
    } else if (auto base = option_value("--base", i, argc, argv)) {
      opts.base = *base;
    } else if (auto output = option_value("-o", i, argc, argv)) {
      opts.output = *output;
    } else {
      throw usage_error("unexpected argument '" + std::string(arg) + "'");
    }
  }
  if (!opts.help && opts.output.empty()) throw usage_error("missing -o OUT");
  if (!opts.help && (opts.btf.empty() || (opts.base && opts.base->empty())))
    throw usage_error("empty file name");
  return opts;
}

int run(int argc, char **argv) {
  options opts = parse_options(argc, argv);
  if (opts.help) {
    std::printf("usage: %s\n\n%s", usage, help);
    return exit_ok;
  }
  route_libbpf_messages(tool_name);

  std::vector<std::string> files{opts.btf};
  if (opts.base) files.push_back(*opts.base);
  const std::optional<std::string> fingerprint =
      fingerprint_line({opts.cxx ? "--cxx" : "--c", opts.btf}, files);
  if (fingerprint && starts_with(opts.output, *fingerprint)) return exit_ok;

  btf_ptr base = opts.base ? load_btf(*opts.base) : nullptr;
  btf_ptr types = load_btf(opts.btf, base.get());
  std::string header =
      opts.cxx ? render_cxx_header(*types, opts.btf) : render_c_header(*types, opts.btf);

  output_file out(opts.output);
  if (fingerprint) out.write(*fingerprint);
  out.write(header);
  out.commit();
  return exit_ok;
}

}  // namespace
}  // namespace bpfkit::tools

int main(int argc, char **argv) {
  using namespace bpfkit::tools;
  bpfkit::large_pages::use_for_heap();  // the kernel's BTF, and btf_dump's tables
  return run_tool(tool_name, usage, run, argc, argv);
}
