// bpfkit-vmlinux's input: raw BTF, ELF files, kernel images and Debian
// packages through load_btf() (object_check before libbpf), then the whole
// header through btf_dump, as bpfkit-vmlinux runs them.
#include "bpfkit/file_io.hpp"
#include "btf_file.hpp"
#include "c_header.hpp"
#include "fuzz_support.hpp"
#include "tool_error.hpp"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  bpfkit::fuzz::silence_libbpf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bpfkit::file_io::memory_file file;
  file.assign(bpfkit::fuzz::as_bytes(data, size));
  try {
    bpfkit::tools::btf_ptr types = bpfkit::tools::load_btf(file.path());
    (void)bpfkit::tools::render_c_header(*types, file.path());
  } catch (const bpfkit::tools::tool_error &) {
  }
  return 0;
}
