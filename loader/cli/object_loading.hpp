// Opening and loading an object file for `run`, `load` and `attach`, with
// failures turned into the CLI's errors and exit codes.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bpfkit/object.hpp"

namespace bpfkit::cli {

// Checks the file, and that `only_program` (when given) exists, listing the
// programs there are; then loads every program, or only `only_program`.
// Throws cli_error: exit 3 for a bad file or unknown program, 4 without the
// privilege to load BPF, 1 when the verifier rejects a program.
bpfkit::object load_object(const std::string &path,
                           const std::optional<std::string> &only_program = std::nullopt);

// Rethrows a runtime-library error from attaching or running `what` as a
// cli_error when it has a clearer explanation (privileges); else as is.
[[noreturn]] void rethrow_bpf_error(const std::string &what);

// "xdp", "sched_cls", ... (libbpf's names).
std::string program_type_name(bpf_prog_type type);

// XDP_PASS, TC_ACT_SHOT, ...: the symbolic name of what a program of `type`
// returned, when that type has names for its return values.
std::optional<std::string> retval_name(bpf_prog_type type, std::int32_t retval);

// The hint given with every "needs privileges" error.
extern const char *const privilege_hint;

}  // namespace bpfkit::cli
