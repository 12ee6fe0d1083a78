#include "bpfkit/testing/fixtures.hpp"
#include "bpfkit/testing/main.hpp"


namespace bpfkit::testing {

namespace detail {

std::string load_failure_message(std::string_view object, const std::exception& e) {
  // A failed load's message has every program's verdict, the source line
  // and the end of the verifier's log already (bpfkit::load_report::message).
  return "opening and loading " + std::string(object) + " failed: " + e.what();
}

}  // namespace detail

void bpf_test::SetUp() {
  ensure_session_listener();
  BPFKIT_REQUIRE_BPF();
}

void bpf_test::TearDown() { pins_.reset(); }

const std::string& bpf_test::pin_dir() {
  if (!pins_) {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = test ? std::string(test->test_suite_name()) + "-" + test->name() : "test";
    pins_.emplace(name);
  }
  return pins_->path();
}

std::string bpf_test::pin_path(std::string_view name) {
  pin_dir();
  return pins_->path(name);
}

}  // namespace bpfkit::testing
