// Bounds-checked reads of fixed-width integers in a given byte order.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace bpfkit::object_check::detail {

// A view of bytes whose multi-byte fields are in `big_endian` order. The
// callers check bounds with fits() first; reads never go past the view.
class byte_view {
 public:
  byte_view() = default;
  byte_view(std::span<const std::byte> bytes, bool big_endian)
      : bytes_(bytes), big_endian_(big_endian) {}

  std::size_t size() const { return bytes_.size(); }
  bool big_endian() const { return big_endian_; }
  std::span<const std::byte> bytes() const { return bytes_; }

  // Whether [offset, offset + length) lies inside the view (overflow-safe).
  bool fits(std::uint64_t offset, std::uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  std::uint8_t u8(std::size_t offset) const { return static_cast<std::uint8_t>(bytes_[offset]); }
  std::uint16_t u16(std::size_t offset) const { return read<std::uint16_t>(offset); }
  std::uint32_t u32(std::size_t offset) const { return read<std::uint32_t>(offset); }
  std::uint64_t u64(std::size_t offset) const { return read<std::uint64_t>(offset); }

  byte_view sub(std::size_t offset, std::size_t length) const {
    return byte_view(bytes_.subspan(offset, length), big_endian_);
  }

 private:
  template <typename T>
  T read(std::size_t offset) const {
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof value);
    if (big_endian_ != (std::endian::native == std::endian::big)) value = swap(value);
    return value;
  }
  static std::uint16_t swap(std::uint16_t v) { return __builtin_bswap16(v); }
  static std::uint32_t swap(std::uint32_t v) { return __builtin_bswap32(v); }
  static std::uint64_t swap(std::uint64_t v) { return __builtin_bswap64(v);
  }

  std::span<const std::byte> bytes_;
  bool big_endian_ = false;
};

}  // namespace bpfkit::object_check::detail
