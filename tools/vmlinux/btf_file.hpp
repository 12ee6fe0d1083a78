// Loading a kernel's BTF for bpfkit-vmlinux from what a user has, with
// errors that say what the file is.
#pragma once

#include <memory>
#include <string>

struct btf;

namespace bpfkit::tools {

struct btf_deleter {
  void operator()(btf *b) const;
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

// Parses the BTF in `path`, which may be
//   - raw BTF of either byte order (/sys/kernel/btf/vmlinux, a kernel
//     module's split BTF on `base`),
//   - an ELF file with a .BTF section (a vmlinux for any arch),
//   - a kernel image (vmlinuz: bzImage, EFI zboot, gzip/xz, raw Image), or
//   - a Debian linux-image package (.deb) holding one.
// The BTF is checked by bpfkit::object_check before libbpf parses it. With
// `base`, the BTF must be split BTF on top of it. Throws tool_error naming
// the file when it is missing, is none of the above, or is malformed.
btf_ptr load_btf(const std::string &path, btf *base = nullptr);

}  // namespace bpfkit::tools
