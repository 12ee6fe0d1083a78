// The verifier-log reader: any text the kernel (or a test) hands it.
#include <bpfkit/verifier_log.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string log = bpfkit::fuzz::as_string(data, size);
  (void)bpfkit::find_verifier_failure(log);
  (void)bpfkit::parse_verifier_stats(log);
  (void)bpfkit::verifier_log_tail(log, size % 16);
  return 0;
}
