#include "measure.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bpfkit/error.hpp"
#include "bpfkit/object.hpp"
#include "kernel_access.hpp"

namespace bpfkit::baseline {
namespace {

// libbpf's warnings of the current load, kept for a rejection that has no
// verifier log (a map or BTF problem) instead of going to stderr.
std::string libbpf_warnings;

int capture_libbpf(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof line, format, args);
  libbpf_warnings += line;
  return n;
}

bool has_bpf_capability() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, caps) != 0) return false;
  auto has = [&](int cap) { return (caps[cap / 32].effective >> (cap % 32)) & 1; };
  return has(CAP_SYS_ADMIN) || has(CAP_BPF);
}

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

measurement measure_program(const std::string &name, const std::string &path,
                            const std::string &program) {
  measurement m{{name, program}, std::nullopt, {}};
  libbpf_warnings.clear();
  try {
    bpfkit::object obj = bpfkit::object::open_file(path);
    for (const bpfkit::program &p : obj.programs()) p.set_autoload(p.name() == program);
    obj.load();
    const std::uint32_t insns = obj.program_by_name(program).verified_insns();
    if (insns == 0)
      throw no_counts("this kernel does not report verified instructions (Linux 5.16 or newer does)");
    m.insns = insns;
  } catch (const bpfkit::error &e) {
    if (e.code().value() == EPERM && !has_bpf_capability())
      throw no_privilege(testing::missing_privilege_reason());
    m.rejection = e.what();
    if (e.verifier_log().empty() && !libbpf_warnings.empty()) m.rejection += "\n" + libbpf_warnings;
  }
  return m;
}

}  // namespace

void require_privilege() {
  libbpf_set_print(capture_libbpf);
  if (!testing::can_load_bpf()) throw no_privilege(testing::missing_privilege_reason());
}

std::vector<measurement> measure_object(const std::string &name, const std::string &path) {
  libbpf_set_print(capture_libbpf);
  require_bpf_file(name, path);
  std::vector<std::string> programs;
  try {
    bpfkit::object obj = bpfkit::object::open_file(path);
    for (const bpfkit::program &p : obj.programs()) programs.emplace_back(p.name());
  } catch (const bpfkit::error &e) {
    throw bad_object("object '" + name + "': " + path + ": " + e.what() +
                     (libbpf_warnings.empty() ? "" : "\n" + libbpf_warnings));
  }
  std::vector<measurement> result;
  for (const std::string &program : programs) result.push_back(measure_program(name, path, program));
  return result;
}

}  // namespace bpfkit::baseline
