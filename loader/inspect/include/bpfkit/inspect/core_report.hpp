// `bpfkit core` output: a core_analysis as text for people (grouped by
// function and source line, failures repeated compiler-style as
// "file:line: error: ...") or as JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/inspect/core.hpp"

namespace bpfkit::inspect {

enum class core_status {
  resolved,       // libbpf writes a value (an *_EXISTS may be 0)
  fails_guarded,  // poisoned, but no path reaches it: the verifier accepts the program
  fails,          // poisoned and reachable: the verifier rejects the program
  error,          // libbpf refuses to load the object
};

core_status status_of(const core_relocation &r);
const char *status_name(core_status s);  // "resolved", "fails_guarded", "fails", "error"

struct core_summary {
  std::size_t relocations = 0, resolved = 0, fails_guarded = 0, fails = 0, errors = 0;
  bool ok() const { return fails == 0 && errors == 0; }
};

// The functions to report: all, or `program` and the subprograms it calls
// (directly or not). Throws error(bad_input) naming the programs there are
// when `program` is not one of them.
std::vector<const core_function *> select_functions(const core_analysis &analysis,
                                                    const std::optional<std::string> &program);

core_summary summarize(const core_analysis &analysis, const std::vector<const core_function *> &functions);

std::string core_text(const core_analysis &analysis, const std::vector<const core_function *> &functions);
std::string core_json(const core_analysis &analysis, const std::vector<const core_function *> &functions);

}  // namespace bpfkit::inspect
