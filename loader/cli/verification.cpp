#include "verification.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <fstream>
#include <memory>

#include "cli.hpp"

namespace bpfkit::cli {
namespace {

// BPF_LOG_LEVEL1 traces instructions; BPF_LOG_STATS adds the statistics.
constexpr std::uint32_t log_trace = 1;
constexpr std::uint32_t log_stats = 4;
constexpr std::size_t first_log_size = 1 << 20;
constexpr std::size_t max_log_size = UINT_MAX >> 2;  // the kernel's limit


struct attempt {
  int error;
  std::string log;
  std::uint32_t verified_insns = 0;
  std::uint64_t duration_ns = 0;
};

attempt load_alone(const std::string &path, const std::string &name, std::uint32_t level,
                   std::size_t log_size) {
  object_ptr obj = open_object_file(path);
  bpf_program *target = load_only(obj.get(), path, name);
  std::string log(log_size, '\0');
  bpf_program__set_log_buf(target, log.data(), log.size());
  bpf_program__set_log_level(target, level);

  auto start = std::chrono::steady_clock::now();
  int err = bpf_object__load(obj.get());
  auto elapsed = std::chrono::steady_clock::now() - start;
  log.resize(std::strlen(log.c_str()));

  attempt result{err, std::move(log)};
  result.duration_ns =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  if (err == 0) {
    bpf_prog_info info{};
    std::uint32_t size = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(target), &info, &size) == 0)
      result.verified_insns = info.verified_insns;
  }
  return result;
}

// Loads, growing the log while the kernel reports it too small (ENOSPC would
// otherwise replace the verifier's real reason).
attempt load_with_log(const std::string &path, const std::string &name, std::uint32_t level) {
  std::size_t size = first_log_size;
  attempt result = load_alone(path, name, level, size);
  while (result.error == -ENOSPC && size < max_log_size) {
    size = std::min(size * 8, max_log_size);
    result = load_alone(path, name, level, size);
  }
  return result;
}

bool lacks_privilege(int err) { return err == -EPERM; }

}  // namespace

object_ptr open_object_file(const std::string &path) {
  bpf_object *obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    int err = errno;
    throw cli_error(exit_bad_input, path + ": libbpf cannot open it as a BPF object: " +
                                        std::string(std::strerror(err)));
  }
  return object_ptr(obj);
}

bpf_program *load_only(bpf_object *obj, const std::string &path, const std::string &program) {
  bpf_program *target = nullptr;
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    const bool wanted = program == bpf_program__name(prog);
    bpf_program__set_autoload(prog, wanted);
    if (wanted) target = prog;
  }
  if (!target) throw cli_error(exit_bad_input, path + ": no program named '" + program + "'");
  return target;
}

void require_bpf_object_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cli_error(exit_bad_input, path + ": cannot open: " + std::strerror(errno));
  Elf64_Ehdr header{};
  in.read(reinterpret_cast<char *>(&header), sizeof header);
  if (in.gcount() < static_cast<std::streamsize>(EI_NIDENT) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    throw cli_error(exit_bad_input, path + ": not an ELF file",
                    "give the .bpf.o that bpf_add_object() builds ($<TARGET_FILE:<name>_bpf>)");
  if (header.e_machine != EM_BPF)
    throw cli_error(exit_bad_input, path + ": an ELF file, but not a BPF object",
                    "give the .bpf.o that bpf_add_object() builds ($<TARGET_FILE:<name>_bpf>)");
}

std::vector<std::string> program_names(const std::string &path) {
  object_ptr obj = open_object_file(path);
  std::vector<std::string> names;
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj.get()) names.emplace_back(bpf_program__name(prog));
  return names;
}

void require_programs(const std::vector<std::string> &available,
                      const std::vector<std::string> &wanted) {
  for (const std::string &name : wanted) {
    if (std::find(available.begin(), available.end(), name) != available.end()) continue;
    std::string list;
    for (const std::string &program : available) list += (list.empty() ? "" : ", ") + program;
    throw cli_error(exit_bad_input, "no program named '" + name + "'; the object has: " +
                                        (list.empty() ? "no programs" : list));
  }
}

verification verify_program(const std::string &path, const std::string &program, bool full_log,
                            bool trace_rejection) {
  attempt result = load_with_log(path, program, full_log ? log_trace | log_stats : log_stats);
  if (result.error != 0 && !full_log && trace_rejection && !lacks_privilege(result.error))
    result = load_with_log(path, program, log_trace | log_stats);  // the trace explains why
  if (lacks_privilege(result.error))
    throw cli_error(exit_no_privilege, "loading BPF programs needs privileges this process lacks",
                    "run as root, or with CAP_BPF plus CAP_PERFMON (tracing) or CAP_NET_ADMIN "
                    "(networking)");

  verification v;
  v.program = program;
  {
    object_ptr obj = open_object_file(path);
    if (bpf_program *prog = bpf_object__find_program_by_name(obj.get(), program.c_str()))
      v.section = bpf_program__section_name(prog);
  }
  v.error = result.error;
  v.stats = parse_verifier_stats(result.log);
  v.log = std::move(result.log);
  v.verified_insns = result.verified_insns;
  v.duration_ns = result.duration_ns;
  return v;
}

}  // namespace bpfkit::cli
