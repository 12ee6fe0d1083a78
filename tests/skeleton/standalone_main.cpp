// skeleton.standalone: opens, loads and test-runs the standalone object
// through its skeleton alone. The test driver moves skel_standalone.bpf.o
// away and runs a copy of this program from another directory.
//
// Prints "opened answer=41", then "retval=<n>" or "skipped: <reason>".
#include <cerrno>
#include <cstdio>
#include <vector>

#include "skel_standalone.skel.hpp"

int main() {
  try {
    auto skel = skel_standalone::skeleton::open();
    std::printf("opened answer=%u\n", static_cast<unsigned>(skel.rodata->answer));
    try {
      skel.load();
    } catch (const bpfkit::error& e) {
      if (e.code().value() == EPERM || e.code().value() == EACCES) {
        std::printf("skipped: %s\n", e.what());
        return 0;
      }
      throw;
    }
    std::vector<std::uint8_t> packet(64, 0);
    bpfkit::test_run_opts opts;
    opts.data_in = packet;
    std::printf("retval=%u\n", skel.progs.answer_prog.test_run(opts).retval);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
