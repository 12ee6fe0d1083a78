// The inspection commands (btf, core) report bpfkit::inspect::error as the
// CLI's errors: bad input is status 3, missing privilege 4, a kernel that
// could not answer 1.
#pragma once

#include <utility>

#include "bpfkit/inspect/error.hpp"
#include "cli.hpp"

namespace bpfkit::cli {

template <typename Inspection>
auto run_inspection(Inspection &&inspection) {
  try {
    return std::forward<Inspection>(inspection)();
  } catch (const inspect::error &e) {
    switch (e.kind()) {
      case inspect::error::category::bad_input: throw cli_error(exit_bad_input, e.what(), e.hint());
      case inspect::error::category::no_privilege: throw cli_error(exit_no_privilege, e.what(), e.hint());
      case inspect::error::category::failed: throw cli_error(exit_failed, e.what(), e.hint());
    }
    throw;
  }
}

}  // namespace bpfkit::cli
