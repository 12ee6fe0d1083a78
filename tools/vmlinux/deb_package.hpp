// The kernel image inside a Debian kernel package (.deb), e.g. what
// `apt-get download linux-image-6.1.0-50-arm64` fetches for another arch.
//
// A .deb is an ar archive whose data.tar.{xz,gz} holds the package's files;
// linux-image-* packages ship the kernel as ./boot/vmlinuz-<version>, which
// carries the kernel's BTF (see kernel_image.hpp). Their -dbg packages ship
// ./usr/lib/debug/boot/vmlinux-<version>, an ELF file of several hundred MiB
// whose .BTF section is the same BTF: it is not decompressed into memory
// here; the error says how to extract it.
#pragma once

#include <span>
#include <string>

namespace bpfkit::tools {

// Whether `file` is an ar archive (the container of every .deb).
bool is_ar_archive(std::span<const std::byte> file);

// The content of ./boot/vmlinuz-* in the .deb `file`. Throws tool_error
// naming `source` when it is not a Debian package, when it has no kernel
// image, or when it is a -dbg package.
std::string kernel_image_from_deb(std::span<const std::byte> file, const std::string &source);

}  // namespace bpfkit::tools
