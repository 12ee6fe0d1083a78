// main() of bpfkit::testing_main: GoogleTest and GoogleMock, plus the
// command to rerun each failed case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bpfkit/large_pages.hpp"
#include "bpfkit/testing/main.hpp"

int main(int argc, char** argv) {
  // Tests load objects again and again; libbpf reads the kernel's BTF each time.
  bpfkit::large_pages::use_for_heap();
  ::testing::InitGoogleMock(&argc, argv);
  bpfkit::testing::install_rerun_listener();
  bpfkit::testing::install_session_listener();
  return RUN_ALL_TESTS();
}
