// libbpf's own messages, for a program that wants them held back until they
// are useful (the bpfkit CLI does).
//
// libbpf prints a warning for every failed load, which only repeats what
// bpfkit reports better; but when something fails before the verifier runs
// (a map cannot be created, a relocation fails), its warnings are the only
// explanation. libbpf has one print callback per process: the runtime owns
// it (a load report captures what libbpf says during the load, see
// bpfkit/load.hpp), so keep it through these calls rather than
// libbpf_set_print.
#pragma once

#include <string>

namespace bpfkit {

// From now on, keeps libbpf's warnings and notices (not its debug messages)
// instead of printing them to stderr; `echo`: also print every message,
// debug included, to stderr as it comes (a --verbose mode). A load report's
// own capture still sees its load's messages first.
void keep_libbpf_messages(bool echo);

// What was kept since keep_libbpf_messages(), in order; empty before it.
std::string kept_libbpf_messages();

}  // namespace bpfkit
