#include "object_loading.hpp"

#include <cerrno>
#include <exception>

#include "bpfkit/error.hpp"
#include "cli.hpp"
#include "verification.hpp"

namespace bpfkit::cli {

const char *const privilege_hint =
    "run as root, or with CAP_BPF plus CAP_PERFMON (tracing) or CAP_NET_ADMIN (networking)";

bpfkit::object load_object(const std::string &path, const std::optional<std::string> &only_program) {
  require_bpf_object_file(path);
  if (only_program) require_programs(program_names(path), {*only_program});
  bpfkit::object object;
  try {
    object = bpfkit::object::open_file(path);
  } catch (const bpfkit::error &e) {
    throw cli_error(exit_bad_input, path + ": libbpf cannot open it as a BPF object: " + e.what());
  }
  if (only_program)
    for (const bpfkit::program &prog : object.programs())
      prog.set_autoload(prog.name() == *only_program);
  try {
    object.load();
  } catch (const bpfkit::error &e) {
    int code = e.code().value();
    if (code == EPERM || code == EACCES)
      throw cli_error(exit_no_privilege,
                      "loading " + path + " needs privileges this process lacks (" +
                          e.code().message() + ")",
                      privilege_hint);
    if (!e.verifier_log().empty())
      throw cli_error(exit_failed, e.what(), "bpfkit verify " + path + " shows the verifier's log");
    throw cli_error(exit_failed, e.what());
  }
  return object;
}

void rethrow_bpf_error(const std::string &what) {
  try {
    throw;
  } catch (const bpfkit::error &e) {
    int code = e.code().value();
    if (code == EPERM || code == EACCES)
      throw cli_error(exit_no_privilege,
                      what + " needs privileges this process lacks: " + e.what(), privilege_hint);
    throw;
  }
}

std::string program_type_name(bpf_prog_type type) {
  const char *name = libbpf_bpf_prog_type_str(type);
  return name ? name : "type " + std::to_string(static_cast<int>(type));
}

std::optional<std::string> retval_name(bpf_prog_type type, std::int32_t retval) {
  if (type == BPF_PROG_TYPE_XDP) {
    static const char *const names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
                                        "XDP_REDIRECT"};
    if (retval >= 0 && retval < 5) return names[retval];
  } else if (type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) {
    static const char *const names[] = {"TC_ACT_UNSPEC",   "TC_ACT_OK",     "TC_ACT_RECLASSIFY",
                                        "TC_ACT_SHOT",     "TC_ACT_PIPE",   "TC_ACT_STOLEN",
                                        "TC_ACT_QUEUED",   "TC_ACT_REPEAT", "TC_ACT_REDIRECT",
                                        "TC_ACT_TRAP"};
    if (retval >= -1 && retval < 9) return names[retval + 1];
  }
  return std::nullopt;
}

}  // namespace bpfkit::cli
