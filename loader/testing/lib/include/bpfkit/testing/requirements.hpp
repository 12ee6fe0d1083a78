// What a GoogleTest case needs from the kernel it runs in: the GoogleTest
// form of bpf_add_test(... MIN_KERNEL ... REQUIRES ...).
//
//   TEST_F(counter, StaysWithinItsVerifierBudget) {
//     BPFKIT_REQUIRE_KERNEL("5.16");  // the kernel counts verified instructions since 5.16
//     EXPECT_VERIFIED_INSNS_LE(skel().progs.count_packets, 64);
//   }
//   BPFKIT_REQUIRE_KERNEL("6.6", "helper:bpf_loop", "map:ringbuf");
//   BPFKIT_REQUIRE_KERNEL("prog:syscall");
//
// Each argument is either the minimum kernel version (<major>.<minor>[.<patch>],
// at most one) or a feature as REQUIRES spells it: prog:<type>, map:<type>,
// helper:<name>[@<program type>], kfunc:<name>. Features are probed in the
// running kernel (bpfkit::requirements), never guessed from its version.
// Where one is unmet the case is skipped (GTEST_SKIP) with every reason,
// e.g. "needs helper bpf_loop, which kernel 5.10.0-46-amd64 lacks"; a
// misspelled requirement fails the case, naming the known names.
//
// A fixture whose SetUp() loads programs the kernel may lack (skeleton_test)
// checks in its own SetUp(), before the base class's:
//
//   class loops : public bpfkit::testing::skeleton_test<loops_skel::skeleton> {
//     void SetUp() override {
//       BPFKIT_REQUIRE_KERNEL("helper:bpf_loop");
//       skeleton_test::SetUp();
//     }
//   };
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace bpfkit::testing {

// Empty when the running kernel meets every requirement in `needs`; else the
// reasons, one per unmet requirement, joined by "; and ". Throws
// std::invalid_argument (bpfkit::requirements::requirement_error) naming a
// misspelled requirement, or two versions. Probe results are cached for the
// process.
std::string kernel_unmet_reason(std::initializer_list<std::string_view> needs);

// When the running kernel does not meet `needs`, marks the running test
// skipped with the reasons and returns false; a misspelled requirement fails
// the test and returns false. A skip or failure recorded from a helper does
// not leave the test body: use BPFKIT_REQUIRE_KERNEL(), or return on false.
bool require_kernel(std::initializer_list<std::string_view> needs);

}  // namespace bpfkit::testing

// In a test body or SetUp(): skips the test, with the reasons, and returns
// when the running kernel lacks what the arguments ask for.
#define BPFKIT_REQUIRE_KERNEL(...)                                      \
  do {                                                                  \
    if (!::bpfkit::testing::require_kernel({__VA_ARGS__})) return;      \
  } while (0)
