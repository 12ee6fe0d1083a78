// bpfkit::inspect::error: a failure the user can act on, with its category
// (which the CLI turns into an exit status) and, where there is one, a hint.
#pragma once

#include <stdexcept>
#include <string>

namespace bpfkit::inspect {

class error : public std::runtime_error {
 public:
  enum class category {
    bad_input,     // a missing or unreadable file, not BTF, no such type or map
    no_privilege,  // the kernel refused: needs root or CAP_BPF/CAP_SYS_ADMIN
    failed,        // the kernel could not answer (an id that vanished...)
  };

  error(category c, const std::string &message, std::string hint = {})
      : std::runtime_error(message), category_(c), hint_(std::move(hint)) {}

  category kind() const noexcept { return category_; }
  const std::string &hint() const noexcept { return hint_; }

 private:
  category category_;
  std::string hint_;
};

}  // namespace bpfkit::inspect
