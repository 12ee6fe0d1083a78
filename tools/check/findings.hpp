// What bpfkit-check finds, and how it reports it.
//
// Every finding is an error a user must fix: it names the file, line and
// column, says what is wrong and what the kernel or libbpf would do with it,
// and gives the fix. Printed the way clang prints diagnostics, so IDEs and
// build logs link them to the source:
//   flow.bpf.cpp:12:14: error: map 'stats' is declared in namespace 'flow': ...
//      12 |   } stats SEC(".maps");
//         |     ^
//   flow.bpf.cpp:12:14: note: fix: define the map at global scope
#pragma once

#include <string>
#include <vector>

namespace bpfkit::check {

struct source_location {
  std::string file;  // empty when unknown
  unsigned line = 0;
  unsigned column = 0;
  std::string text;  // the source line, for the caret display
};

struct finding {
  source_location where;
  std::string message;
  std::string fix;
};

// Prints `findings` on stderr; `fallback_file` names the file of a finding
// without a location.
void report(const std::vector<finding> &findings, const std::string &fallback_file);

}  // namespace bpfkit::check
