// Loading BTF files for bpfkit-vmlinux, with errors that say what the file is.
#pragma once

#include <memory>
#include <string>

struct btf;

namespace bpfkit::tools {

struct btf_deleter {
  void operator()(btf *b) const;
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

// Parses `path` as raw BTF or as an ELF file with a .BTF section. With `base`,
// `path` is split BTF on top of it (a kernel module's BTF on vmlinux).
// Throws tool_error naming the file when it is missing or is not usable BTF.
btf_ptr load_btf(const std::string &path, btf *base = nullptr);

}  // namespace bpfkit::tools
