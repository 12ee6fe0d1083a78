// For a main() of your own (bpfkit::testing_main provides one):
//
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleMock(&argc, argv);
//     bpfkit::testing::install_rerun_listener();
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

}  // namespace bpfkit::testing
