// Packet specs (bpfkit run --packet, bpf_add_test PACKET).
#include <bpfkit/packet.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  try {
    (void)bpfkit::build_packet(bpfkit::fuzz::as_string(data, size));
  } catch (const bpfkit::packet_spec_error &) {
  }
  return 0;
}
