// bpfkit-cxx-headers: writes the C++ views of libbpf's BPF-side headers.
//
//   bpfkit-cxx-headers --from INCLUDE_ROOT -o OUT_DIR
//
// Reads INCLUDE_ROOT/bpf/{bpf_helpers,bpf_helper_defs,bpf_core_read,
// bpf_tracing,bpf_endian}.h (the libbpf headers the BPF compile finds) and
// writes their C++ views (header_views.hpp) to OUT_DIR/bpf/, which the build
// puts first on the include path of C++ BPF sources. Outputs are written
// atomically, and only when every view could be made.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "header_views.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::cxx {
namespace {

using tools::tool_error;
using tools::usage_error;

constexpr const char tool_name[] = "bpfkit-cxx-headers";
constexpr const char usage[] = "bpfkit-cxx-headers --from INCLUDE_ROOT -o OUT_DIR";
constexpr const char help[] =
    "Writes C++ views of libbpf's bpf_helpers.h, bpf_helper_defs.h, bpf_core_read.h,\n"
    "bpf_tracing.h and bpf_endian.h: the same headers, with the lines that are not\n"
    "valid C++ rewritten.\n"
    "\n"
    "  --from DIR   include root of the libbpf headers (DIR/bpf/bpf_helpers.h)\n"
    "  -o DIR       output include root (DIR/bpf/... is written)\n"
    "  --help       this text\n"
    "\n"
    "Exit status: 0 ok, 1 bad input, 2 bad command line, 3 internal error.\n";

int run(int argc, char **argv) {
  std::string from, out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: %s\n\n%s", usage, help);
      return tools::exit_ok;
    } else if (arg == "--from") {
      from = value();
    } else if (arg == "-o") {
      out = value();
    } else {
      throw usage_error("unexpected argument '" + arg + "'");
    }
  }
  if (from.empty() || out.empty()) throw usage_error("--from and -o are required");

  std::vector<std::unique_ptr<tools::output_file>> outputs;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(out) / "bpf", ec);
  if (ec) throw tool_error(out, "cannot create the output directory: " + ec.message());
  for (const char *header : viewed_headers) {
    const std::string source = (std::filesystem::path(from) / header).string();
    if (!std::filesystem::exists(source))
      throw tool_error(source, "no such libbpf header",
                       "install libbpf's headers (apt-get install libbpf-dev), or point --from "
                       "at the directory that holds bpf/bpf_helpers.h");
    auto output = std::make_unique<tools::output_file>((std::filesystem::path(out) / header).string());
    output->write(cxx_view(header, tools::read_file(source), source));
    outputs.push_back(std::move(output));
  }
  for (auto &output : outputs) output->commit();
  return tools::exit_ok;
}

}  // namespace
}  // namespace bpfkit::cxx

int main(int argc, char **argv) {
  using namespace bpfkit;
  return tools::run_tool(cxx::tool_name, cxx::usage, cxx::run, argc, argv);
}
