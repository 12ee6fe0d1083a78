#include "bpfkit/testing/verifier.hpp"

#include <exception>
#include <string>

namespace bpfkit::testing::detail {

::testing::AssertionResult verified_insns_le(const char* program_text, const char* budget_text,
                                             const ::bpfkit::program& program, std::uint64_t budget) {
  std::string name = program_text;
  std::uint32_t found = 0;
  try {
    name = std::string(program.name());
    found = program.verified_insns();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "verified instructions of " << name << ": cannot read them: "
                                         << e.what();
  }
  if (found == 0)
    return ::testing::AssertionFailure()
           << "verified instructions of " << name
           << ": the kernel reports none (it needs Linux 5.16 or later to count them)";
  if (found <= budget)
    return ::testing::AssertionSuccess() << "verified instructions of " << name << ": " << found
                                         << ", within the budget of " << budget;
  return ::testing::AssertionFailure() << "verified instructions of " << name << ": expected at most "
                                       << budget << ", found " << found << " (" << found - budget
                                       << " over the budget; checked " << program_text << " <= "
                                       << budget_text << ")";
}

}  // namespace bpfkit::testing::detail
