#include "btf_file.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string_view>

#include "bpfkit/file_io.hpp"
#include "bpfkit/object_check.hpp"
#include "deb_package.hpp"
#include "kernel_image.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::tools {

void btf_deleter::operator()(btf *b) const { btf__free(b); }

namespace {

// A vmlinux with DWARF may be a GiB; it is mapped, not read.
constexpr std::size_t max_input_size = std::size_t{4} << 30;

const char *const btf_hint =
    "pass raw BTF (/sys/kernel/btf/vmlinux of that kernel), an ELF vmlinux, its vmlinuz, "
    "or its linux-image .deb";

bool is_raw_btf(std::span<const std::byte> bytes) {
  if (bytes.size() < 2) return false;
  const auto b0 = static_cast<std::uint8_t>(bytes[0]), b1 = static_cast<std::uint8_t>(bytes[1]);
  return (b0 == 0x9f && b1 == 0xeb) || (b0 == 0xeb && b1 == 0x9f);
}

bool is_elf(std::span<const std::byte> bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0;
}

// Split BTF (a kernel module's) continues its base's string section, so its
// own does not start with the empty string that every standalone BTF has.
bool is_split(std::span<const std::byte> raw) {
  if (raw.size() < 24) return false;
  const bool big = static_cast<std::uint8_t>(raw[0]) == 0xeb;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(raw[at + (big ? i : 3 - i)]);
    return v;
  };
  const std::uint64_t first_string = std::uint64_t{u32(4)} + u32(16);
  return u32(20) > 0 && first_string < raw.size() && raw[first_string] != std::byte{0};
}

// The raw BTF of `bytes`, where `source` names them in messages. Bytes
// extracted from a package or a compressed image are kept in `extracted`
// (a deque: its elements never move, so the returned view stays valid).
std::span<const std::byte> find_btf(std::span<const std::byte> bytes, const std::string &source,
                                    std::deque<std::string> &extracted, int depth = 0) {
  if (is_raw_btf(bytes)) return bytes;
  if (is_elf(bytes)) {
    if (auto p = object_check::check_elf_structure(bytes))
      throw tool_error(source, p->message(), "the file is damaged: copy or download it again");
    if (auto btf = object_check::find_elf_section(bytes, ".BTF")) return *btf;
    throw tool_error(source, "ELF file has no .BTF section",
                     "pass a kernel built with CONFIG_DEBUG_INFO_BTF=y, or its /sys/kernel/btf/vmlinux");
  }
  // A package holds an image, an image may hold a compressed one: no deeper.
  if (depth < 2) {
    if (is_ar_archive(bytes)) {
      extracted.push_back(kernel_image_from_deb(bytes, source));
      return find_btf(std::as_bytes(std::span(extracted.back())), source, extracted, depth + 1);
    }
    if (auto decompressed = decompress_kernel_image(bytes, source)) {
      extracted.push_back(std::move(*decompressed));
      return find_btf(std::as_bytes(std::span(extracted.back())), source, extracted, depth + 1);
    }
  }
  if (auto btf = find_embedded_btf(bytes)) return *btf;
  if (looks_like_kernel_image(bytes))
    throw tool_error(source, "a kernel image without BTF",
                     "the kernel must be built with CONFIG_DEBUG_INFO_BTF=y");
  throw tool_error(source, "not a BTF file (neither raw BTF, an ELF file, a kernel image nor a "
                           "Debian kernel package)",
                   btf_hint);
}

}  // namespace

btf_ptr load_btf(const std::string &path, btf *base) {
  file_io::input_file file = [&] {
    try {
      return file_io::open_input(path, max_input_size);
    } catch (const file_io::file_error &e) {
      throw input_error(e);
    }
  }();
  const auto mapping = file.map_all();
  std::deque<std::string> extracted;
  const std::span<const std::byte> raw = find_btf(mapping.bytes(), path, extracted);

  const bool split = is_split(raw);
  if (split && !base)
    throw tool_error(path, "split BTF (a kernel module's?) needs its base BTF",
                     "pass --base /sys/kernel/btf/vmlinux (or the base it was built on)");
  if (!split && base) throw tool_error(path, "is standalone BTF, but --base was given", "drop --base");

  object_check::result problem;
  if (split) {
    __u32 base_size = 0;
    const void *base_raw = btf__raw_data(base, &base_size);
    problem = object_check::check_split_btf(
        raw, std::span(static_cast<const std::byte *>(base_raw), base_size));
  } else {
    problem = object_check::check_btf(raw);
  }
  if (problem)
    throw tool_error(path, problem->message(),
                     split ? "pass the base BTF this split BTF was built on"
                           : "the file is damaged or not BTF: copy or regenerate it");

  libbpf_capture capture;
  btf *parsed = nullptr;
  if (split) {
    // libbpf 1.1 parses split BTF only from a file.
    file_io::memory_file file;
    file.assign(raw);
    parsed = btf__parse_raw_split(file.path().c_str(), base);
  } else {
    parsed = btf__new(raw.data(), static_cast<__u32>(raw.size()));
  }
  if (!parsed) throw tool_error(path, "libbpf cannot read the BTF: " + capture.reason(errno));
  return btf_ptr(parsed);
}

}  // namespace bpfkit::tools
