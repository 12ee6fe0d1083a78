// What load reports say: the one wording of every verdict, used by
// bpfkit::error, the CLI and the test runners.
#include <cstring>
#include <string>

#include "bpfkit/error.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/privileges.hpp"

namespace bpfkit {
namespace {

constexpr std::size_t tail_lines = 20;

std::string indent(std::string_view text, std::string_view prefix = "  ") {
  std::string out(prefix);
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

// libbpf's line, named as libbpf's.
std::string libbpf_said(const std::string& line) {
  return line.empty() ? std::string() : " (libbpf: " + line + ")";
}

std::string program_kind(program_type type) {
  switch (type) {
    case program_type::tracing: return "tracing (fentry/fexit/fmod_ret/tp_btf/iter)";
    case program_type::lsm: return "LSM";
    case program_type::ext: return "freplace";
    case program_type::struct_ops: return "struct_ops";
    default: return program_type_name(type);
  }
}

}  // namespace

std::string program_report::verdict() const {
  const program_report& r = *this;
  switch (r.status) {
    case load_status::accepted:
      return "accepted: " + std::to_string(r.verified_insns) + " instructions verified";
    case load_status::not_loaded:
      return "not loaded (its autoload is off)";
    case load_status::rejected:
      return "rejected by the verifier: " + (r.reason.empty() ? "the verifier gave no reason" : r.reason);
    case load_status::refused:
      return "refused by the kernel although this process is privileged (" +
             error_category().message(r.error) + "): this kernel, its lockdown mode or a security "
             "module does not allow loading " + program_kind(r.type) + " programs";
    case load_status::no_privilege:
      return "not loaded: loading BPF needs privileges this process lacks (" +
             error_category().message(r.error ? r.error : EPERM) + "); " + privilege_hint;
    case load_status::failed_before_verifier:
      break;
  }
  std::string text = "failed before the verifier: ";
  switch (r.stage) {
    case failure_stage::map_creation:
      return text + "map '" + r.subject + "' cannot be created" + libbpf_said(r.reason);
    case failure_stage::attach_target:
      return text + (r.subject.empty() ? std::string("its attach target is not known")
                                       : "its attach target '" + r.subject +
                                             "' is not in the kernel's BTF") +
             libbpf_said(r.reason);
    case failure_stage::core_relocation:
      return text + "a CO-RE relocation cannot be resolved on this kernel" + libbpf_said(r.reason);
    case failure_stage::btf:
      return text + "the kernel refused the object's BTF, which it needs" + libbpf_said(r.reason);
    case failure_stage::kernel_symbol:
      return text + "the kernel has no '" + r.subject + "'" + libbpf_said(r.reason);
    case failure_stage::none:
    case failure_stage::other:
      break;
  }
  if (!r.reason.empty()) return text + "libbpf: " + r.reason;
  return text + error_category().message(r.error ? r.error : EINVAL) + " (libbpf gave no reason)";
}

std::string_view describe(load_status status) noexcept {
  switch (status) {
    case load_status::accepted: return "accepted";
    case load_status::not_loaded: return "not loaded";
    case load_status::rejected: return "rejected by the verifier";
    case load_status::failed_before_verifier: return "failed before the verifier";
    case load_status::refused: return "refused by the kernel";
    case load_status::no_privilege: return "no privilege";
  }
  return "unknown";
}

std::string_view describe(failure_stage stage) noexcept {
  switch (stage) {
    case failure_stage::none: return "none";
    case failure_stage::map_creation: return "map creation";
    case failure_stage::attach_target: return "attach target";
    case failure_stage::core_relocation: return "CO-RE relocation";
    case failure_stage::btf: return "BTF";
    case failure_stage::kernel_symbol: return "kernel symbol";
    case failure_stage::other: return "other";
  }
  return "unknown";
}

std::string program_report::summary() const {
  return "program '" + name + "' (" + section + ") " + verdict();
}

bool load_report::ok() const noexcept {
  if (object_failure) return false;
  for (const program_report& p : programs)
    if (p.failed()) return false;
  return true;
}

const program_report* load_report::find(std::string_view program) const noexcept {
  for (const program_report& p : programs)
    if (p.name == program) return &p;
  return nullptr;
}

const program_report* load_report::first_failure() const noexcept {
  if (object_failure) return &*object_failure;
  for (const program_report& p : programs)
    if (p.failed()) return &p;
  return nullptr;
}

std::string load_report::message() const {
  const program_report* first = first_failure();
  if (!first) return "load object '" + object + "': every program was accepted";
  std::string text = "load object '" + object + "': ";
  text += object_failure ? object_failure->verdict() : first->summary();
  if (!first->verifier_message.empty() && first->verifier_message.find('\n') != std::string::npos)
    text += "\n" + indent(first->verifier_message.substr(first->verifier_message.find('\n') + 1));
  if (first->source)
    text += "\n  at " + first->source->file + ":" + std::to_string(first->source->line) +
            (first->source->text.empty() ? "" : ": " + first->source->text);
  if (first->insn && !first->insn_text.empty())
    text += "\n  instruction " + std::to_string(*first->insn) + ": " + first->insn_text;
  if (first->status == load_status::rejected && !first->log.empty())
    text += "\nverifier log, last lines (error::verifier_log() has all of it):\n" +
            indent(verifier_log_tail(first->log, tail_lines));
  if (!object_failure)
    for (const program_report& p : programs)
      if (&p != first && p.failed()) text += "\nalso: " + p.summary();
  return text;
}

}  // namespace bpfkit
