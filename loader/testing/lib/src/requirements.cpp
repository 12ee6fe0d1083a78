#include "bpfkit/testing/requirements.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "bpfkit/requirements.hpp"

namespace bpfkit::testing {
namespace {

namespace req = bpfkit::requirements;

// One probe per process: every case asking for the same feature reuses its
// result (probes load programs).
req::kernel_probe& process_probe() {
  static req::kernel_probe probe;
  return probe;
}
std::mutex probe_mutex;

// A version is what has no ':' ("5.16"); a feature always has one.
req::requirements parse(std::initializer_list<std::string_view> needs) {
  std::string min_kernel;
  std::vector<std::string> features;
  for (std::string_view need : needs) {
    if (need.find(':') != std::string_view::npos) {
      features.emplace_back(need);
    } else if (min_kernel.empty()) {
      min_kernel = need;
      if (min_kernel.empty())
        throw req::requirement_error(
            "BPFKIT_REQUIRE_KERNEL: an empty argument: give a kernel version (\"5.16\") or a feature "
            "(\"helper:bpf_loop\")");
    } else {
      throw req::requirement_error("BPFKIT_REQUIRE_KERNEL: two kernel versions, '" + min_kernel + "' and '" +
                                   std::string(need) + "': give at most one, the oldest kernel the test can run on");
    }
  }
  return req::requirements::parse(min_kernel, features);
}

void skip(const std::string& reason) { GTEST_SKIP() << reason; }

}  // namespace

std::string kernel_unmet_reason(std::initializer_list<std::string_view> needs) {
  const req::requirements parsed = parse(needs);
  if (parsed.empty()) return {};
  std::vector<std::string> reasons;
  {
    std::lock_guard lock(probe_mutex);
    reasons = req::unmet(parsed, process_probe());
  }
  std::string text;
  for (const std::string& reason : reasons) text += (text.empty() ? "" : "; and ") + reason;
  return text;
}

bool require_kernel(std::initializer_list<std::string_view> needs) {
  std::string reason;
  try {
    reason = kernel_unmet_reason(needs);
  } catch (const req::requirement_error& e) {
    ADD_FAILURE() << "BPFKIT_REQUIRE_KERNEL: a requirement is misspelled: " << e.what();
    return false;
  }
  if (reason.empty()) return true;
  skip(reason);
  return false;
}

}  // namespace bpfkit::testing
