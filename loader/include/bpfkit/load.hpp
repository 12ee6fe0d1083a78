// Loading an object with options, and the report of what happened to each
// of its programs (bpfkit::object::try_load, bpfkit::error::report).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/program_type.hpp"
#include "bpfkit/verifier_log.hpp"

namespace bpfkit {

// The verifier's log levels (the kernel's BPF_LOG_* bits), for load_options.
namespace log_level {
inline constexpr std::uint32_t none = 0;
inline constexpr std::uint32_t trace = 1;   // the path the verifier walked to a rejection
inline constexpr std::uint32_t states = 2;  // every instruction and state it walks (accepted too)
inline constexpr std::uint32_t stats = 4;   // the statistics at the end ("processed N insns")
}  // namespace log_level

struct load_options {
  // The programs to load, by name; every other program's autoload is turned
  // off. Empty: the programs whose autoload is on (by default all).
  std::vector<std::string> programs;
  // What each loaded program's verifier log holds (log_level bits). With 0 a
  // rejection is still explained: the rejected program is loaded again with
  // a trace, as every failure is.
  std::uint32_t log_level = log_level::none;
  // The first size of each log buffer; 0: 256 KiB. A log that outgrows it is
  // completed by loading again with a larger one, never cut short.
  std::size_t log_size = 0;
};

// What happened to one program.
enum class load_status {
  accepted,                // loaded: the verifier accepted it
  not_loaded,              // its autoload is off, or load_options::programs left it out
  rejected,                // the verifier rejected it
  failed_before_verifier,  // a map, its attach target, a CO-RE relocation, the BTF, ...
  refused,                 // EPERM although privileged: the kernel forbids this program type
  no_privilege,            // this process lacks the privilege to load BPF
};

// Where a program failed before the verifier saw it.
enum class failure_stage {
  none,
  map_creation,     // a map of the object cannot be created
  attach_target,    // fentry/fexit/lsm/...: the target is not in the kernel's BTF
  core_relocation,  // a CO-RE relocation cannot be resolved against the kernel's BTF
  btf,              // the kernel refused the object's BTF, which it needs
  kernel_symbol,    // an extern (kfunc, ksym) is not in the kernel
  other,            // libbpf's reason says what
};

struct program_report {
  std::string name;
  std::string section;  // SEC("...")
  program_type type = program_type::unspec;
  load_status status = load_status::not_loaded;

  // accepted: instructions the verifier processed (kernel 5.16+). Its
  // statistics (rejected programs too: how far it got) when
  // load_options::log_level asked for them.
  std::uint32_t verified_insns = 0;
  std::optional<verifier_stats> stats;

  // Failures: the errno, the stage, what failed there (the map, attach
  // target or relocation), and the reason in one line: the verifier's, or
  // libbpf's own words.
  int error = 0;
  failure_stage stage = failure_stage::none;
  std::string subject;
  std::string reason;
  // Where in the BPF source (rejected, core_relocation): the path as the
  // object's line info records it.
  std::optional<source_location> source;
  std::optional<std::uint32_t> insn;  // the failing instruction
  std::string insn_text;
  std::string verifier_message;  // the verifier's whole reason (may be several lines)

  std::string log;              // the verifier's log (empty when none was asked for)
  std::string libbpf_messages;  // libbpf's warnings while loading this program

  bool failed() const noexcept {
    return status != load_status::accepted && status != load_status::not_loaded;
  }
  // One line: "rejected by the verifier: R0 invalid mem access
  // 'map_value_or_null'", "failed before the verifier: map 'big' cannot be
  // created (libbpf: map 'big': failed to create: Invalid argument(-22))", ...
  std::string verdict() const;
  // "program 'count' (xdp) " + verdict().
  std::string summary() const;
};

struct load_report {
  std::string object;
  std::vector<program_report> programs;  // every program of the object, in ELF order
  // Set when the load failed before any program was tried (a map, the BTF,
  // an extern): every loaded program then shares this verdict.
  std::optional<program_report> object_failure;

  // Every program that was to be loaded was accepted.
  bool ok() const noexcept;
  const program_report* find(std::string_view program) const noexcept;
  // The first failure: the object's, else the first failed program's.
  const program_report* first_failure() const noexcept;
  // The failure as bpfkit::error reports it: the first failure's summary,
  // its source line and instruction, its log's last lines, and one line for
  // each other failed program.
  std::string message() const;
};

// "accepted", "rejected by the verifier", "failed before the verifier", ...
std::string_view describe(load_status status) noexcept;
// "map creation", "attach target", "CO-RE relocation", ...
std::string_view describe(failure_stage stage) noexcept;

}  // namespace bpfkit
