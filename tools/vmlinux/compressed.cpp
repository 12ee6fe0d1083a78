#include "compressed.hpp"

#include <zlib.h>
#if BPFKIT_HAVE_LZMA
#include <lzma.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

#include "tool_error.hpp"

namespace bpfkit::tools {

compression detect_compression(std::span<const std::byte> head) {
  auto starts = [&](std::string_view magic) {
    return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
  };
  if (starts("\x1f\x8b")) return compression::gzip;
  if (starts("\xfd" "7zXZ")) return compression::xz;
  if (starts("\x28\xb5\x2f\xfd")) return compression::zstd;
  if (starts("BZh")) return compression::bzip2;
  if (starts(std::string_view("\x5d\x00\x00", 3))) return compression::lzma;
  if (starts("\x02\x21\x4c\x18")) return compression::lz4;  // the kernel's legacy lz4 frames
  if (starts("\x89LZO")) return compression::lzo;
  return compression::none;
}

const char *compression_name(compression c) {
  switch (c) {
    case compression::none: return "uncompressed";
    case compression::gzip: return "gzip";
    case compression::xz: return "xz";
    case compression::zstd: return "zstd";
    case compression::bzip2: return "bzip2";
    case compression::lzma: return "lzma";
    case compression::lz4: return "lz4";
    case compression::lzo: return "lzo";
  }
  return "unknown";
}

// One decoder; read() returns 0 once its stream ended.
class decompressor::engine {
 public:
  virtual ~engine() = default;
  virtual std::size_t read(std::span<std::byte> out) = 0;
};

namespace {

const char *const decompress_hint = "decompress it yourself and pass the result";

class gzip_engine : public decompressor::engine {
 public:
  gzip_engine(std::span<const std::byte> input, const std::string &source) : source_(source) {
    stream_.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(input.data()));
    stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(input.size(), UINT32_MAX));
    rest_ = input.size() - stream_.avail_in;
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK)
      throw std::runtime_error("zlib: inflateInit2 failed");
  }
  ~gzip_engine() override { inflateEnd(&stream_); }

  std::size_t read(std::span<std::byte> out) override {
    if (ended_ || out.empty()) return 0;
    stream_.next_out = reinterpret_cast<Bytef *>(out.data());
    stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), UINT32_MAX));
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && rest_ > 0) {
        const std::size_t more = std::min<std::size_t>(rest_, UINT32_MAX);
        stream_.avail_in = static_cast<uInt>(more);
        rest_ -= more;
      }
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended_ = true;
        break;
      }
      if (rc == Z_BUF_ERROR && stream_.avail_in == 0)
        throw tool_error(source_, "truncated gzip data", decompress_hint);
      if (rc != Z_OK)
        throw tool_error(source_, std::string("corrupt gzip data: ") + (stream_.msg ? stream_.msg : "?"),
                         decompress_hint);
    }
    return out.size() - stream_.avail_out;
  }

 private:
  z_stream stream_{};
  std::size_t rest_ = 0;
  bool ended_ = false;
  std::string source_;
};

#if BPFKIT_HAVE_LZMA
class xz_engine : public decompressor::engine {
 public:
  xz_engine(std::span<const std::byte> input, const std::string &source) : source_(source) {
    if (lzma_stream_decoder(&stream_, UINT64_MAX, 0) != LZMA_OK)
      throw std::runtime_error("liblzma: lzma_stream_decoder failed");
    stream_.next_in = reinterpret_cast<const std::uint8_t *>(input.data());
    stream_.avail_in = input.size();
  }
  ~xz_engine() override { lzma_end(&stream_); }

  std::size_t read(std::span<std::byte> out) override {
    if (ended_ || out.empty()) return 0;
    stream_.next_out = reinterpret_cast<std::uint8_t *>(out.data());
    stream_.avail_out = out.size();
    while (stream_.avail_out > 0) {
      const lzma_ret rc = lzma_code(&stream_, stream_.avail_in ? LZMA_RUN : LZMA_FINISH);
      if (rc == LZMA_STREAM_END) {
        ended_ = true;
        break;
      }
      if (rc == LZMA_BUF_ERROR) throw tool_error(source_, "truncated xz data", decompress_hint);
      if (rc != LZMA_OK)
        throw tool_error(source_, "corrupt xz data (liblzma error " + std::to_string(rc) + ")",
                         decompress_hint);
    }
    return out.size() - stream_.avail_out;
  }

 private:
  lzma_stream stream_ = LZMA_STREAM_INIT;
  bool ended_ = false;
  std::string source_;
};
#endif

}  // namespace

decompressor::decompressor(std::span<const std::byte> input, compression c, std::string source)
    : source_(std::move(source)) {
  switch (c) {
    case compression::gzip:
      engine_ = std::make_unique<gzip_engine>(input, source_);
      return;
    case compression::xz:
#if BPFKIT_HAVE_LZMA
      engine_ = std::make_unique<xz_engine>(input, source_);
      return;
#else
      throw tool_error(source_, "xz-compressed, and this bpfkit-vmlinux was built without liblzma",
                       "install liblzma-dev and rebuild bpfkit, or decompress it yourself (xz -dc)");
#endif
    default:
      throw tool_error(source_, std::string(compression_name(c)) +
                                    "-compressed; bpfkit-vmlinux reads gzip and xz only",
                       decompress_hint);
  }
}

decompressor::~decompressor() = default;

std::size_t decompressor::read(std::span<std::byte> out) { return engine_->read(out); }

bool decompressor::skip(std::uint64_t count) {
  std::array<std::byte, 65536> buffer;
  while (count > 0) {
    const std::size_t n = read(std::span(buffer).first(std::min<std::uint64_t>(count, buffer.size())));
    if (n == 0) return false;
    count -= n;
  }
  return true;
}

std::string decompressor::read_rest(std::size_t max_size) {
  std::string out;
  std::array<std::byte, 1 << 16> buffer;
  for (std::size_t n; (n = read(buffer)) > 0;) {
    if (n > max_size - out.size())
      throw tool_error(source_, "decompresses to more than " + std::to_string(max_size >> 20) +
                                    " MiB, more than any kernel image");
    out.append(reinterpret_cast<const char *>(buffer.data()), n);
  }
  return out;
}

}  // namespace bpfkit::tools
