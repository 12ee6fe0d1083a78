// The link step's input: one object through bpfkit-link's checks and, when
// they pass, libbpf's linker (bpf_linker__add_file crashes on malformed
// objects in libbpf 1.1), as bpfkit-link runs them. Both byte orders.
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "elf_object.hpp"
#include "fuzz_support.hpp"
#include "input_checks.hpp"
#include "linker.hpp"
#include "output_checks.hpp"
#include "tool_error.hpp"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  bpfkit::fuzz::silence_libbpf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  using namespace bpfkit::link;
  std::vector<elf_object> inputs;
  diagnostics errors;
  try {
    inputs.push_back(parse_bpf_object("input.bpf.o", bpfkit::fuzz::as_string(data, size)));
    check_input(inputs.front(), errors);
    check_inputs_together(inputs, "out.bpf.o", errors);
    if (!errors.empty()) return 0;  // bpfkit-link stops here
    std::string linked = link_objects(inputs, "out.bpf.o");
    // What libbpf writes must pass the same checks (bpfkit-link treats a
    // failure as an internal error): a crash here is a finding.
    elf_object output = parse_bpf_object("out.bpf.o", std::move(linked));
    check_linked_object(output, inputs, errors);
  } catch (const bpfkit::tools::tool_error &) {
  }
  return 0;
}
