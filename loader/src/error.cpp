#include "bpfkit/error.hpp"

#include <bpf/libbpf.h>

namespace bpfkit {
namespace {

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "bpfkit"; }

  std::string message(int value) const override {
    // The kernel's internal ENOTSUPP leaks out of BPF_PROG_TEST_RUN and
    // attach calls; neither strerror nor libbpf knows it.
    constexpr int kernel_enotsupp = 524;
    if (value == kernel_enotsupp) return "not supported for this program type (ENOTSUPP)";
    char text[128];
    libbpf_strerror(value, text, sizeof text);
    return text;
  }

  std::error_condition default_error_condition(int value) const noexcept override {
    if (value < __LIBBPF_ERRNO__START) return std::error_condition(value, std::generic_category());
    return std::error_condition(value, *this);
  }
};

int positive(int value) { return value < 0 ? -value : value; }

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

error::error(int errno_value, const std::string& what)
    : std::system_error(positive(errno_value), error_category(), what),
      message_(std::make_shared<const std::string>(std::system_error::what())),
      verifier_log_(std::make_shared<const std::string>()) {}

error::error(int errno_value, const std::string& message, std::string verifier_log)
    : std::system_error(positive(errno_value), error_category(), message),
      message_(std::make_shared<const std::string>(message)),
      verifier_log_(std::make_shared<const std::string>(std::move(verifier_log))) {}

const char* error::what() const noexcept { return message_->c_str(); }

const std::string& error::verifier_log() const noexcept { return *verifier_log_; }

}  // namespace bpfkit
