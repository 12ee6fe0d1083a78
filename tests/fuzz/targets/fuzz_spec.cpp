// The spec-file reader of bpfkit-test (what bpf_add_test writes, or anyone
// who edits it).
#include <stdexcept>

#include "bpfkit/file_io.hpp"
#include "fuzz_support.hpp"
#include "spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bpfkit::file_io::memory_file file;
  file.assign(bpfkit::fuzz::as_bytes(data, size));
  try {
    const bpfkit::testing::test_spec spec = bpfkit::testing::read_spec(file.path());
    if (spec.expect_retval) (void)bpfkit::testing::retval_value(spec.expect_retval->spelled);
  } catch (const std::runtime_error &) {
  }
  return 0;
}
