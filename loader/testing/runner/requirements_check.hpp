// MIN_KERNEL and REQUIRES of a BPF test (bpf_add_test, or the
// BPFKIT_MIN_KERNEL and BPFKIT_REQUIRES annotations) against the running
// kernel, before anything is loaded: a test its kernel cannot run is skipped
// with the reasons. The parsing and probing are bpfkit::requirements'.
#pragma once

#include <string>

#include "declarative_test.hpp"
#include "spec.hpp"

namespace bpfkit::testing {

// The prefix of the line that says why a test skipped; the kernel matrix's
// report picks the reason up from it.
inline constexpr const char *skip_prefix = "bpfkit-test-skip: ";

struct requirements_outcome {
  verdict outcome = verdict::passed;  // passed: the kernel meets them (or there are none)
  std::string message;                // skipped: the reasons; failed: the misspelling
};
// What the runner does about `spec`'s requirements: go on, skip (the kernel
// lacks something; one reason per unmet requirement) or fail (a requirement
// is misspelled: the message names it and the known names).
requirements_outcome check_requirements(const test_spec &spec);

// The spelling of one requirement as an annotation gives it; throws
// bpfkit::requirements::requirement_error naming what is wrong and the fix.
void check_min_kernel_spelling(const std::string &text);
void check_feature_spelling(const std::string &text);

}  // namespace bpfkit::testing
