#include "bpfkit/testing/fixtures.hpp"

#include <sstream>
#include <vector>

namespace bpfkit::testing {

namespace detail {

std::string load_failure_message(std::string_view object, const std::exception& e) {
  constexpr std::size_t tail_lines = 20;
  std::string message = "opening and loading " + std::string(object) + " failed: " + e.what();
  const auto* failure = dynamic_cast<const bpfkit::error*>(&e);
  if (!failure || failure->verifier_log().empty()) return message;
  // bpfkit::error's message may quote the log's end already.
  if (message.find("verifier log") != std::string::npos) return message;

  std::vector<std::string> lines;
  std::istringstream log(failure->verifier_log());
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  const std::size_t first = lines.size() > tail_lines ? lines.size() - tail_lines : 0;
  message += "\nverifier log";
  if (first > 0) message += " (last " + std::to_string(tail_lines) + " of " + std::to_string(lines.size()) + " lines)";
  message += ":";
  for (std::size_t i = first; i < lines.size(); ++i) message += "\n  " + lines[i];
  return message;
}

}  // namespace detail

void bpf_test::SetUp() { BPFKIT_REQUIRE_BPF(); }

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
