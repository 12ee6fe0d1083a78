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
  // The tag of a message that says all there is to say: what() is the
  // message as is, without ": <reason for the code>" appended.
  struct complete_t {
    explicit complete_t() = default;
  };
  static constexpr complete_t complete{};

  // what() is "<what>: <reason for the code>".
  error(int errno_value, const std::string& what);
  // what() is `message`, as is; report() is nullptr.
  error(int errno_value, const std::string& message, complete_t);
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

// Thrown by object::open_file/open_memory (and so by skeleton open()) when
// the bytes are not a well-formed BPF object: a structure libbpf would crash
// on or misread (section bounds, BTF type ids, cycles, name offsets,
// .BTF.ext record sizes; see bpfkit/object_check.hpp). what() names the file
// or object and the problem ("x.bpf.o: malformed BTF: type [7] PTR refers to
// type 99, past the last type [40]"); code() is LIBBPF_ERRNO__FORMAT.
class malformed_object : public error {
 public:
  explicit malformed_object(const std::string& message);
};

}  // namespace bpfkit
