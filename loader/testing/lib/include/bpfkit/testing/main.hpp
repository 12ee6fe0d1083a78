// For a main() of your own (bpfkit::testing_main provides one):
//
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleMock(&argc, argv);
//     bpfkit::testing::install_rerun_listener();
//     bpfkit::testing::install_session_listener();
//     return RUN_ALL_TESTS();
//   }
#pragma once

namespace bpfkit::testing {

// After a failed test case, prints the command that reruns just that case:
//   rerun: ctest --test-dir <build> -R "^<ctest name>$" --output-on-failure
// under ctest (bpf_add_test GTEST sets BPFKIT_CTEST_NAME and BPFKIT_CTEST_DIR),
// and always
//   rerun: <this executable> --gtest_filter=<Suite>.<Case>
void install_rerun_listener();

// Runs every case in a test session (<bpfkit/testing/test_session.hpp>):
// with bpf_add_test's environment, the case's coverage tracefile and result
// file are written, and a failed case shows what its programs printed with
// bpf_printk. bpf_test::SetUp() installs it too when a main() of your own
// did not (from the first BPF case on).
void install_session_listener();
// install_session_listener(), and a session for the case running now.
void ensure_session_listener();

}  // namespace bpfkit::testing
