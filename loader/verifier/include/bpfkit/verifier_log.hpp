// Reading the kernel verifier's log.
//
// The log is the only place the verifier says why it rejected a program, but
// it is long and its last lines are statistics. These functions pick out what
// a developer needs first: the failing instruction, the verifier's message
// and the source line the compiler attached to that instruction (the
// "; <source> @ file.c:N" lines the kernel prints when BTF line info is
// loaded), plus the statistics the kernel reports after every load.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfkit {

struct source_location {
  std::string file;   // as recorded in BTF: usually the path given to clang
  std::uint32_t line = 0;
  std::string text;   // the source line, as the verifier quotes it
};

struct verifier_failure {
  std::optional<std::uint32_t> insn;  // index of the instruction it stopped at
  std::string insn_text;              // e.g. "(71) r1 = *(u8 *)(r1 +20)"
  std::string message;                // the verifier's reason, possibly several lines
  std::optional<source_location> source;  // where insn came from, when line info exists
};

// The reason a load failed, from a log written with log_level >= 1. Empty
// when the log holds no reason (an empty log, or a log of a successful load).
std::optional<verifier_failure> find_verifier_failure(std::string_view log);

struct verifier_stats {
  std::uint64_t processed_insns = 0;  // "processed N insns": what veristat calls total_insns
  std::uint64_t total_states = 0;
  std::uint64_t peak_states = 0;
  std::uint64_t max_states_per_insn = 0;
  std::uint64_t mark_read = 0;
  std::optional<std::uint64_t> duration_us;  // "verification time N usec"
  std::string stack_depth;                   // "stack depth 16+0": one figure per subprogram
};

// The statistics line(s) at the end of a log (log_level BPF_LOG_STATS or
// higher); empty when the log has none.
std::optional<verifier_stats> parse_verifier_stats(std::string_view log);

// The last `lines` lines of a log, without the statistics, for messages.
std::string verifier_log_tail(std::string_view log, std::size_t lines);

}  // namespace bpfkit
