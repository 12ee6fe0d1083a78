#include "object_loading.hpp"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cerrno>
#include <cstring>

#include "bpfkit/run_record.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/file_io.hpp"
#include "bpfkit/privileges.hpp"

namespace bpfkit::cli {

const char *const no_privilege_message = "loading BPF programs needs privileges this process lacks";
const char *const malformed_object_hint = "recompile it; the file is damaged or was not written by a BPF compiler";

void require_bpf_object_file(const std::string &path) {
  // A regular file of bounded size, opened without blocking: a FIFO or a
  // directory is an error here, not a hang or an "internal error" later.
  Elf64_Ehdr header{};
  ssize_t got = 0;
  try {
    bpfkit::file_io::input_file in = bpfkit::file_io::open_input(path);
    got = ::pread(in.fd(), &header, sizeof header, 0);
  } catch (const bpfkit::file_io::file_error &e) {
    throw cli_error(exit_bad_input, path + ": " + e.what(),
                    "give the .bpf.o that bpf_add_object() builds ($<TARGET_FILE:<name>_bpf>)");
  }
  if (got < static_cast<ssize_t>(EI_NIDENT) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    throw cli_error(exit_bad_input, path + ": not an ELF file",
                    "give the .bpf.o that bpf_add_object() builds ($<TARGET_FILE:<name>_bpf>)");
  if (header.e_machine != EM_BPF)
    throw cli_error(exit_bad_input, path + ": an ELF file, but not a BPF object",
                    "give the .bpf.o that bpf_add_object() builds ($<TARGET_FILE:<name>_bpf>)");
}

bpfkit::object open_object(const std::string &path) {
  require_bpf_object_file(path);
  try {
    return bpfkit::object::open_file(path);
  } catch (const bpfkit::malformed_object &e) {
    throw cli_error(exit_bad_input, e.what(), malformed_object_hint);
  } catch (const bpfkit::error &e) {
    throw cli_error(exit_bad_input, path + ": libbpf cannot open it as a BPF object: " + e.what());
  }
}

std::vector<std::string> program_names(const bpfkit::object &object) {
  std::vector<std::string> names;
  for (const bpfkit::program &prog : object.programs()) names.emplace_back(prog.name());
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

exit_code exit_code_of(const load_report &report) {
  bool only_privilege = true;
  if (report.object_failure && report.object_failure->status != load_status::no_privilege)
    only_privilege = false;
  for (const program_report &p : report.programs)
    if (p.failed() && p.status != load_status::no_privilege) only_privilege = false;
  return only_privilege ? exit_no_privilege : exit_failed;
}

map_sizes map_size_options(arguments &args) {
  map_sizes sizes;
  auto parse = [](const char *option, const std::string &text) {
    std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
      throw usage_error(std::string(option) + " takes MAP=N, not '" + text + "'");
    unsigned long long n = parse_number(option, text.substr(eq + 1));
    if (n == 0 || n > UINT32_MAX)
      throw usage_error(std::string(option) + " " + text + ": the size must be 1 to 4294967295");
    return std::pair<std::string, std::uint32_t>(text.substr(0, eq), static_cast<std::uint32_t>(n));
  };
  for (const std::string &text : args.options("--max-entries"))
    sizes.max_entries.push_back(parse("--max-entries", text));
  for (const std::string &text : args.options("--value-size"))
    sizes.value_size.push_back(parse("--value-size", text));
  return sizes;
}

void apply_map_sizes(const bpfkit::object &object, const map_sizes &sizes) {
  auto find = [&](const std::string &option, const std::string &name) {
    try {
      return object.map_by_name(name);
    } catch (const bpfkit::error &e) {
      throw cli_error(exit_bad_input, option + " " + name + ": " + e.what());
    }
  };
  try {
    for (const auto &[name, entries] : sizes.max_entries)
      find("--max-entries", name).set_max_entries(entries);
    for (const auto &[name, bytes] : sizes.value_size) find("--value-size", name).set_value_size(bytes);
  } catch (const bpfkit::error &e) {
    throw cli_error(exit_bad_input, e.what());
  }
}

bpfkit::object load_object(const std::string &path, const std::string &only_program,
                           const map_sizes &sizes) {
  bpfkit::object object;
  load_report report;
  do {  // again when coverage (run --coverage) leaves a program plain
    object = open_object(path);
    apply_map_sizes(object, sizes);
    load_options options;
    if (!only_program.empty()) {
      require_programs(program_names(object), {only_program});
      options.programs = {only_program};
    }
    report = object.try_load(options);
  } while (!report.ok() && run_record::load_again_plain(report));
  if (report.ok()) return object;
  exit_code code = exit_code_of(report);
  if (code == exit_no_privilege) throw cli_error(code, no_privilege_message, privilege_hint);
  const program_report *failure = report.first_failure();
  std::string hint = "bpfkit verify " + path +
                     (only_program.empty() ? "" : " --program " + only_program) +
                     " shows every program's verdict" +
                     (failure && failure->status == load_status::rejected ? " and the verifier's log" : "");
  throw cli_error(code, report.message(), hint);
}

void rethrow_bpf_error(const std::string &what) {
  try {
    throw;
  } catch (const bpfkit::error &e) {
    int code = e.code().value();
    if ((code == EPERM || code == EACCES) && !holds_bpf_capability())
      throw cli_error(exit_no_privilege,
                      what + " needs privileges this process lacks: " + e.what(), privilege_hint);
    throw;
  }
}

}  // namespace bpfkit::cli
