#include "measure.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <filesystem>
#include <fstream>

#include "bpfkit/error.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/privileges.hpp"

namespace bpfkit::baseline {
namespace {

// libbpf's warnings are in the load report; they need not reach stderr too.
int quiet(enum libbpf_print_level, const char *, va_list) { return 0; }

void require_bpf_file(const std::string &name, const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw bad_object("object '" + name + "': " + path +
                     " does not exist; build the project first (cmake --build)");
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  if (!in || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F')
    throw bad_object("object '" + name + "': " + path + " is not an ELF file");
}

}  // namespace

void require_privilege() {
  libbpf_set_print(quiet);
  if (const std::string &reason = bpf_unavailable_reason(); !reason.empty()) throw no_privilege(reason);
}

std::vector<measurement> measure_object(const std::string &name, const std::string &path) {
  libbpf_set_print(quiet);
  require_bpf_file(name, path);
  bpfkit::object obj;
  try {
    obj = bpfkit::object::open_file(path);
  } catch (const bpfkit::error &e) {
    throw bad_object("object '" + name + "': " + path + ": " + e.what());
  }
  // Every program at once; a failing one is loaded again on its own by the
  // runtime, so each count and each reason belongs to exactly one program.
  const load_report report = obj.try_load();
  std::vector<measurement> result;
  for (const program_report &p : report.programs) {
    if (p.status == load_status::not_loaded) continue;
    if (p.status == load_status::no_privilege) throw no_privilege(p.verdict());
    measurement m{{name, p.name}, std::nullopt, {}};
    if (p.status == load_status::accepted) {
      if (p.verified_insns == 0)
        throw no_privilege("this kernel does not report verified instructions (Linux 5.16 or newer does)");
      m.insns = p.verified_insns;
    } else {
      m.rejection = p.summary();
      if (p.source)
        m.rejection += "\n  at " + p.source->file + ":" + std::to_string(p.source->line) +
                       (p.source->text.empty() ? "" : ": " + p.source->text);
    }
    result.push_back(std::move(m));
  }
  return result;
}

}  // namespace bpfkit::baseline
