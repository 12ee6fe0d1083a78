// `bpfkit btf`: the layouts of the types of an object, a BTF file, a map in
// the kernel or the running kernel, or their comparison with another
// kernel's BTF (see docs/inspect.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bpfkit::inspect {

struct btf_request {
  // OBJ (a BPF object, a vmlinux or a raw BTF file), a pinned map or "id:N";
  // unset with `kernel`.
  std::optional<std::string> source;
  bool kernel = false;              // the running kernel's BTF (and its modules')
  std::vector<std::string> types;   // TYPE arguments; empty: the default selection
  std::optional<std::string> compare;  // --compare KERNEL-BTF
  bool json = false;
};

// What `bpfkit btf` prints. Throws bpfkit::inspect::error.
std::string btf_report(const btf_request &request);

}  // namespace bpfkit::inspect
