// Finding the BTF in a kernel image: the vmlinuz of a distribution's
// kernel package. BTF is part of the kernel's loaded image (the .BTF
// section between __start_BTF and __stop_BTF), so every image carries it:
//   - x86 bzImage: a compressed ELF vmlinux behind the boot sector;
//   - EFI zboot images ("zimg"): a compressed Image behind an EFI stub;
//   - gzip/xz-compressed images (Image.gz, as some distributions ship);
//   - raw images (Debian's arm64 vmlinuz): the BTF blob lies as is inside.
#pragma once

#include <optional>
#include <span>
#include <string>

namespace bpfkit::tools {

// The decompressed content of a compressed kernel image (bzImage, zboot, or
// a gzip/xz file); nothing when `file` is none of those. Throws tool_error
// naming `source` when it is one but cannot be decompressed.
std::optional<std::string> decompress_kernel_image(std::span<const std::byte> file,
                                                   const std::string &source);

// The largest well-formed raw BTF blob inside `image`, found by its header;
// nothing when there is none.
std::optional<std::span<const std::byte>> find_embedded_btf(std::span<const std::byte> image);

// Whether `file` starts like a kernel image (a PE/EFI stub, an arm64 or
// RISC-V Image header), to say "a kernel image without BTF".
bool looks_like_kernel_image(std::span<const std::byte> file);

}  // namespace bpfkit::tools
