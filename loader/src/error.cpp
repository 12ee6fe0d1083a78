#include "bpfkit/error.hpp"

#include <bpf/libbpf.h>

#include <atomic>
#include <optional>

#include "bpfkit/load.hpp"

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

struct error::state {
  std::atomic<int> references{1};
  std::string message;
  std::string verifier_log;
  std::optional<load_report> report;
};

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

error::error(int errno_value, const std::string& what)
    : std::system_error(positive(errno_value), error_category(), what), state_(new state) {
  state_->message = std::system_error::what();
}

error::error(int errno_value, const std::string& message, complete_t)
    : std::system_error(positive(errno_value), error_category(), message), state_(new state) {
  state_->message = message;
}

malformed_object::malformed_object(const std::string& message)
    : error(LIBBPF_ERRNO__FORMAT, message, complete) {}

error::error(int errno_value, const std::string& message, const load_report& report)
    : std::system_error(positive(errno_value), error_category(), message), state_(new state) {
  state_->message = message;
  state_->report = report;
  for (const program_report& p : report.programs)
    if (p.status == load_status::rejected) {
      state_->verifier_log = p.log;
      break;
    }
}

error::error(const error& other) noexcept : std::system_error(other), state_(other.state_) {
  state_->references.fetch_add(1, std::memory_order_relaxed);
}

error& error::operator=(const error& other) noexcept {
  if (this == &other) return *this;
  std::system_error::operator=(other);
  other.state_->references.fetch_add(1, std::memory_order_relaxed);
  if (state_->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete state_;
  state_ = other.state_;
  return *this;
}

error::~error() {
  if (state_->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete state_;
}

const char* error::what() const noexcept { return state_->message.c_str(); }

const std::string& error::verifier_log() const noexcept { return state_->verifier_log; }

const load_report* error::report() const noexcept {
  return state_->report ? &*state_->report : nullptr;
}

}  // namespace bpfkit
