// The kernel side of bpf_verifier_baseline(): every program of an object,
// loaded on its own (as veristat and `bpfkit stats` do, so one rejection
// hides nothing and each count belongs to exactly one program).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "baseline.hpp"

namespace bpfkit::baseline {

// This process may not load BPF programs: the test is skipped, not failed.
struct no_privilege : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The kernel counts no verified instructions (before Linux 5.16): nothing
// can be measured here, whoever runs the test.
struct no_counts : no_privilege {
  using no_privilege::no_privilege;
};
// The object cannot be measured at all (missing, not a BPF object): fails.
struct bad_object : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws no_privilege when this process cannot load BPF at all.
void require_privilege();

// One measurement per program of the object at `path`, keyed by `name` (the
// bpf_add_object name). A program the kernel rejects is measured with the
// verifier's reason. Throws no_privilege, or bad_object naming the file.
std::vector<measurement> measure_object(const std::string &name, const std::string &path);

}  // namespace bpfkit::baseline
