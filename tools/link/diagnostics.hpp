// Collects several user errors so that one run of the link step reports
// every problem it can see, not just the first one.
#pragma once

#include <utility>
#include <vector>

#include "tool_error.hpp"

namespace bpfkit::link {

inline constexpr const char *tool_name = "bpfkit-link";

class diagnostics {
 public:
  void add(tools::tool_error error) { errors_.push_back(std::move(error)); }
  bool empty() const { return errors_.empty(); }

  // Prints all errors but the last and throws the last one, so run_tool()
  // prints it in the same format and exits with exit_input_error.
  void throw_if_any() {
    if (errors_.empty()) return;
    for (std::size_t i = 0; i + 1 < errors_.size(); ++i) tools::report(tool_name, errors_[i]);
    tools::tool_error last = std::move(errors_.back());
    errors_.clear();
    throw last;
  }

 private:
  std::vector<tools::tool_error> errors_;
};

}  // namespace bpfkit::link
