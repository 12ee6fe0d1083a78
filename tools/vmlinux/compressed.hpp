// Decompressing kernel images and Debian packages' data.tar, with a bound
// on the output so that a small hostile file cannot take gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace bpfkit::tools {

enum class compression { none, gzip, xz, zstd, bzip2, lzma, lz4, lzo };

// The compression whose magic starts `head`; none when no known one does.
compression detect_compression(std::span<const std::byte> head);
const char *compression_name(compression c);

// Reads the decompressed bytes of `input` piece by piece (gzip and xz; the
// others are refused with a message that says how to decompress them).
// Trailing bytes after the compressed stream are ignored, as the kernel's
// own decompressors do. Errors are tool_error naming `source`.
class decompressor {
 public:
  decompressor(std::span<const std::byte> input, compression c, std::string source);
  ~decompressor();
  decompressor(const decompressor &) = delete;
  decompressor &operator=(const decompressor &) = delete;

  // Fills `out` as far as the data goes; returns how much, 0 at the end.
  std::size_t read(std::span<std::byte> out);
  // Reads and drops `count` bytes; false when the data ends first.
  bool skip(std::uint64_t count);
  // Everything that is left, at most `max_size` bytes (tool_error past that).
  std::string read_rest(std::size_t max_size);

  class engine;  // one per format, in compressed.cpp

 private:
  std::unique_ptr<engine> engine_;
  std::string source_;
};

}  // namespace bpfkit::tools
