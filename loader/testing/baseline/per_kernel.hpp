// Per-kernel baselines: bpf_verifier_baseline(... FILE "budgets/{kernel}.csv")
// keeps one file per kernel series, named by the running kernel's
// <major>.<minor> ("budgets/6.1.csv"), because verified instruction counts
// differ between kernels. The test checks the file of the kernel it runs in;
// <test>_update rewrites the running kernel's file.
//
// Inside the kernel matrix (BPFKIT_VM_OUT set: the guest's way out to the
// host's results directory) the check also records what it measured, as
//   $BPFKIT_VM_OUT/baselines/<test>-<tree>/<series>.csv
// in the baseline format, <tree> naming the build tree; <test>_update on the
// host then writes each recorded kernel's file too, so one `ctest -L vm` and
// one update keep every kernel's budget current.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "baseline.hpp"

namespace bpfkit::baseline {

inline constexpr std::string_view kernel_placeholder = "{kernel}";

// Whether FILE keeps one file per kernel (holds {kernel}).
bool is_per_kernel(const std::string &file);
// FILE with every {kernel} replaced by `series` ("6.1").
std::string file_for_kernel(const std::string &file, const std::string &series);
// The running kernel's series, "<major>.<minor>" of its release.
std::string running_kernel_series();

// Where a check inside the kernel matrix records its counts, below `vm_out`
// (the kernel's results directory).
std::string record_path(const std::string &vm_out, const spec &s, const std::string &series);

struct recorded_counts {
  std::string series;  // the kernel series the counts were measured in
  std::string path;    // the record
};
// The records of this test and build tree that the kernel matrix left in
// s.vm_results (one directory per kernel), sorted by path.
std::vector<recorded_counts> find_records(const spec &s);

}  // namespace bpfkit::baseline
