// libbpf's own messages, held back until they are useful.
//
// libbpf prints a warning for every failed load ("failed to load object"),
// which only repeats what bpfkit reports better. But when something fails
// before the verifier runs (a map cannot be created, a relocation fails),
// libbpf's warnings are the only explanation. So the CLI captures them and
// prints them when a command fails for a reason it cannot explain itself, or
// always with --verbose.
#pragma once

#include <string>

namespace bpfkit::cli::libbpf_messages {

void capture(bool echo_immediately);
std::string captured();

}  // namespace bpfkit::cli::libbpf_messages
