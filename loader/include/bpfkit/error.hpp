// bpfkit::error, the one exception type of the runtime library.
#pragma once

#include <string>
#include <system_error>

namespace bpfkit {

struct load_report;

// errno values plus libbpf's own codes (LIBBPF_ERRNO__*, 4000 and up), which
// strerror() does not know. Plain errno values compare equal to std::errc.
const std::error_category& error_category() noexcept;

// Thrown by every bpfkit call that fails. what() names the object, program or
// map involved; code() is the errno (negative libbpf returns are accepted and
// flipped). A failed load() also carries every program's verdict (report())
// and, when the verifier rejected a program, its whole log.
class error : public std::system_error {
 public:
  error(int errno_value, const std::string& what);
  // A failed load: `message` is complete (what(), as is).
  error(int errno_value, const std::string& message, const load_report& report);
  error(const error& other) noexcept;
  error& operator=(const error& other) noexcept;
  ~error() override;

  const char* what() const noexcept override;
  // The kernel's whole log for the first program the verifier rejected;
  // empty when no program was rejected by the verifier.
  const std::string& verifier_log() const noexcept;
  // What happened to each program, when this is a failed load; else nullptr.
  const load_report* report() const noexcept;

 private:
  struct state;  // shared by copies, so that copying cannot throw
  state* state_;
};

}  // namespace bpfkit
