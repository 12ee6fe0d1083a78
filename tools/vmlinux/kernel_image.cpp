#include "kernel_image.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "bpfkit/object_check.hpp"
#include "compressed.hpp"
#include "tool_error.hpp"

namespace bpfkit::tools {

namespace {

// Decompressed kernels are tens of MiB; anything past this is not one (and
// a small file that claims more must not take more memory than this).
constexpr std::size_t max_kernel_size = std::size_t{512} << 20;

std::uint32_t le32(std::span<const std::byte> b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

bool has(std::span<const std::byte> b, std::size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

std::string decompress(std::span<const std::byte> data, const std::string &source, const char *what) {
  const compression c = detect_compression(data);
  if (c == compression::none)
    throw tool_error(source, std::string(what) + " holds data in an unknown compression format",
                     "decompress it yourself and pass the result");
  return decompressor(data, c, source).read_rest(max_kernel_size);
}

}  // namespace

std::optional<std::string> decompress_kernel_image(std::span<const std::byte> file,
                                                   const std::string &source) {
  // x86 bzImage (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, the
  // protected-mode code after (setup_sects + 1) sectors, and the compressed
  // vmlinux at payload_offset (0x248) in it, payload_length (0x24c) long.
  if (has(file, 0x202, "HdrS") && file.size() >= 0x250) {
    const std::size_t setup_sects = static_cast<std::uint8_t>(file[0x1f1]);
    const std::uint64_t start = (setup_sects == 0 ? 4 : setup_sects) * 512 + 512 +
                                std::uint64_t{le32(file, 0x248)};
    const std::uint64_t length = le32(file, 0x24c);
    if (start > file.size() || length > file.size() - start)
      throw tool_error(source, "x86 kernel image (bzImage) whose payload lies outside the file");
    return decompress(file.subspan(start, length), source, "the x86 kernel image (bzImage)");
  }
  // EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "MZ", "zimg",
  // then the payload's offset and size.
  if (has(file, 0, "MZ") && has(file, 4, "zimg") && file.size() >= 16) {
    const std::uint64_t start = le32(file, 8), length = le32(file, 12);
    if (start > file.size() || length > file.size() - start)
      throw tool_error(source, "EFI zboot kernel image whose payload lies outside the file");
    return decompress(file.subspan(start, length), source, "the EFI zboot kernel image");
  }
  if (detect_compression(file) != compression::none) return decompress(file, source, "the file");
  return std::nullopt;
}

std::optional<std::span<const std::byte>> find_embedded_btf(std::span<const std::byte> image) {
  std::optional<std::span<const std::byte>> best;
  // Version 1, no flags, a 24-byte header: the start of every BTF blob the
  // kernel embeds, in either byte order.
  static constexpr std::string_view little("\x9f\xeb\x01\x00\x18\x00\x00\x00", 8);
  static constexpr std::string_view big("\xeb\x9f\x01\x00\x00\x00\x00\x18", 8);
  const auto *data = reinterpret_cast<const char *>(image.data());
  for (std::string_view magic : {little, big}) {
    const bool big_endian = magic == big;
    for (std::size_t at = 0; at + 24 <= image.size(); ++at) {
      const void *hit = memmem(data + at, image.size() - at, magic.data(), magic.size());
      if (!hit) break;
      at = static_cast<std::size_t>(static_cast<const char *>(hit) - data);
      if (at + 24 > image.size()) break;
      auto field = [&](std::size_t offset) {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
          const auto byte = static_cast<std::uint8_t>(image[at + offset + (big_endian ? i : 3 - i)]);
          v = (v << 8) | byte;
        }
        return v;
      };
      const std::uint64_t size = 24 + std::uint64_t{field(16)} + field(20);  // str_off + str_len
      if (size > image.size() - at || (best && size <= best->size())) continue;
      const auto candidate = image.subspan(at, size);
      if (!object_check::check_btf(candidate)) best = candidate;
    }
  }
  return best;
}

bool looks_like_kernel_image(std::span<const std::byte> file) {
  return has(file, 0, "MZ") || has(file, 0x38, "ARM\x64") || has(file, 0x30, "RISCV") ||
         has(file, 0x202, "HdrS");
}

}  // namespace bpfkit::tools
