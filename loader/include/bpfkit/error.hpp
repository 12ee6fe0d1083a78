// bpfkit::error, the one exception type of the runtime library.
#pragma once

#include <memory>
#include <string>
#include <system_error>

namespace bpfkit {

// errno values plus libbpf's own codes (LIBBPF_ERRNO__*, 4000 and up), which
// strerror() does not know. Plain errno values compare equal to std::errc.
const std::error_category& error_category() noexcept;

// Thrown by every bpfkit call that fails. what() names the object, program or
// map involved; code() is the errno (negative libbpf returns are accepted and
// flipped). A program the kernel rejected also carries the verifier's log.
class error : public std::system_error {
 public:
  error(int errno_value, const std::string& what);
  // A load failure: `message` is complete (what(), as is) and `verifier_log`
  // is the kernel's whole log for the rejected program.
  error(int errno_value, const std::string& message, std::string verifier_log);

  const char* what() const noexcept override;
  const std::string& verifier_log() const noexcept;

 private:
  // Shared, so that copying an exception cannot throw.
  std::shared_ptr<const std::string> message_;
  std::shared_ptr<const std::string> verifier_log_;
};

}  // namespace bpfkit
