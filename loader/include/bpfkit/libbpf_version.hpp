// Which libbpf the runtime runs on, and which it was built against (for
// `bpfkit doctor` and bug reports), without including libbpf's headers.
#pragma once

namespace bpfkit {

struct libbpf_versions {
  unsigned major = 0;  // the libbpf loaded now
  unsigned minor = 0;
  unsigned built_major = 0;  // the headers bpfkit was compiled with
  unsigned built_minor = 0;
};

libbpf_versions libbpf_version() noexcept;

}  // namespace bpfkit
