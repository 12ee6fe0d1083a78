// Loads `verdict` through its skeleton and prints its programs' verified
// instruction counts: host code in a consumer's subdirectory.
#include <cstdio>

#include "verdict.skel.hpp"

int main() {
  try {
    auto skel = verdict::skeleton::open_and_load();
    std::printf("decide: %u instructions verified\n", static_cast<unsigned>(skel.progs.decide.verified_insns()));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "verdict_loader: %s\n", e.what());
    return 1;
  }
  return 0;
}
