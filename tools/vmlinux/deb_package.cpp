#include "deb_package.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "compressed.hpp"
#include "tool_error.hpp"

namespace bpfkit::tools {

namespace {

constexpr std::size_t max_image_size = std::size_t{512} << 20;

std::string_view text(std::span<const std::byte> b, std::size_t at, std::size_t n) {
  return {reinterpret_cast<const char *>(b.data()) + at, n};
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0' || s.back() == '/')) s.remove_suffix(1);
  return s;
}

// A decimal (ar) or octal (tar) number field; nothing when malformed.
std::optional<std::uint64_t> number(std::string_view field, unsigned base) {
  std::uint64_t value = 0;
  bool digits = false;
  for (char c : field) {
    if (c == ' ' || c == '\0') {
      if (digits) break;
      continue;
    }
    const unsigned digit = static_cast<unsigned>(c - '0');
    if (c < '0' || digit >= base || value > (UINT64_MAX - digit) / base) return std::nullopt;
    value = value * base + digit;
    digits = true;
  }
  if (!digits) return std::nullopt;
  return value;
}

// The data.tar member of the ar archive.
std::span<const std::byte> data_tar(std::span<const std::byte> file, const std::string &source,
                                    std::string &name) {
  std::size_t at = 8;  // "!<arch>\n"
  bool debian = false;
  while (at + 60 <= file.size()) {
    const std::string_view member = trimmed(text(file, at, 16));
    const auto size = number(text(file, at + 48, 10), 10);
    if (!size || *size > file.size() - at - 60)
      throw tool_error(source, "a damaged ar archive (member size)", "download the package again");
    if (member == "debian-binary") debian = true;
    if (member.starts_with("data.tar")) {
      if (!debian) break;
      name = std::string(member);
      return file.subspan(at + 60, *size);
    }
    at += 60 + *size + (*size % 2);
  }
  throw tool_error(source, "an ar archive, but not a Debian package (no debian-binary and data.tar)",
                   "pass a linux-image package, its boot/vmlinuz-*, or a BTF file");
}

}  // namespace

bool is_ar_archive(std::span<const std::byte> file) {
  return file.size() >= 8 && text(file, 0, 8) == "!<arch>\n";
}

std::string kernel_image_from_deb(std::span<const std::byte> file, const std::string &source) {
  std::string member;
  const std::span<const std::byte> tar = data_tar(file, source, member);
  const std::string &where = source;  // errors name the package; messages name the member
  const compression c = detect_compression(tar);
  std::optional<decompressor> compressed;
  std::span<const std::byte> plain;
  std::size_t plain_at = 0;
  if (c != compression::none) compressed.emplace(tar, c, where);
  else plain = tar;
  // Reads exactly `out.size()` bytes of the tar stream; false at its end.
  auto read = [&](std::span<std::byte> out) {
    if (compressed) {
      std::size_t got = 0;
      while (got < out.size()) {
        const std::size_t n = compressed->read(out.subspan(got));
        if (n == 0) return false;
        got += n;
      }
      return true;
    }
    if (out.size() > plain.size() - plain_at) return false;
    std::memcpy(out.data(), plain.data() + plain_at, out.size());
    plain_at += out.size();
    return true;
  };
  auto skip = [&](std::uint64_t n) {
    if (compressed) return compressed->skip(n);
    if (n > plain.size() - plain_at) return false;
    plain_at += n;
    return true;
  };

  std::array<std::byte, 512> header;
  std::string long_name;  // from a GNU 'L' entry, for the entry after it
  while (read(header)) {
    const std::span<const std::byte> h(header);
    if (std::all_of(header.begin(), header.end(), [](std::byte b) { return b == std::byte{0}; })) break;
    const auto size = number(text(h, 124, 12), 8);
    if (!size) throw tool_error(where, member + ": a damaged tar archive (entry size)", "download the package again");
    const char type = static_cast<char>(header[156]);
    std::string name;
    if (!long_name.empty()) {
      name = std::move(long_name);
      long_name.clear();
    } else {
      const std::string_view prefix = trimmed(text(h, 345, 155)), base = trimmed(text(h, 0, 100));
      name = prefix.empty() ? std::string(base) : std::string(prefix) + "/" + std::string(base);
      name = name.substr(0, name.find('\0'));
    }
    const std::uint64_t padded = (*size + 511) / 512 * 512;
    if (type == 'L') {  // GNU long name: the next entry's name is the content
      if (*size > 4096) throw tool_error(where, member + ": a damaged tar archive (long name)");
      std::string content(padded, '\0');
      if (!read(std::as_writable_bytes(std::span(content))))
        throw tool_error(where, member + ": a truncated tar archive", "download the package again");
      long_name = content.substr(0, content.find('\0'));
      continue;
    }
    if (name.starts_with("./")) name.erase(0, 2);
    const bool regular = type == '0' || type == '\0';
    if (regular && name.starts_with("boot/vmlinuz-")) {
      if (*size > max_image_size)
        throw tool_error(where, member + ": " + name + " is larger than any kernel image");
      std::string image(*size, '\0');
      if (!read(std::as_writable_bytes(std::span(image))))
        throw tool_error(where, member + ": a truncated tar archive", "download the package again");
      return image;
    }
    if (regular && name.starts_with("usr/lib/debug/boot/vmlinux-"))
      throw tool_error(source, "a -dbg package; its " + name + " is an ELF vmlinux with the BTF",
                       "pass the linux-image package itself, or extract the vmlinux: "
                       "dpkg-deb -x " + source + " DIR and pass DIR/" + name);
    if (!skip(padded)) throw tool_error(where, member + ": a truncated tar archive", "download the package again");
  }
  throw tool_error(source, "a Debian package without a kernel image (boot/vmlinuz-*)",
                   "pass a linux-image-* package (apt-get download linux-image-<version>-<flavour>)");
}

}  // namespace bpfkit::tools
