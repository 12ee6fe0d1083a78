#include "requirements_check.hpp"

#include <vector>

#include "bpfkit/requirements.hpp"

namespace bpfkit::testing {

namespace req = bpfkit::requirements;

requirements_outcome check_requirements(const test_spec &spec) {
  if (spec.min_kernel.empty() && spec.required_features.empty()) return {};
  std::vector<std::string> reasons;
  try {
    const auto needs = req::requirements::parse(spec.min_kernel, spec.required_features);
    req::kernel_probe probe;
    reasons = req::unmet(needs, probe);
  } catch (const req::requirement_error &e) {
    return {verdict::failed, std::string("a requirement is misspelled: ") + e.what()};
  }
  if (reasons.empty()) return {};
  // One line: reasons already use ';' inside ("needs kernel 6.6 or newer; this is ...").
  std::string line;
  for (const std::string &reason : reasons) line += (line.empty() ? "" : "; and ") + reason;
  return {verdict::skipped, line};
}

void check_min_kernel_spelling(const std::string &text) { req::kernel_version::parse(text); }

void check_feature_spelling(const std::string &text) { req::parse_feature(text); }

}  // namespace bpfkit::testing
