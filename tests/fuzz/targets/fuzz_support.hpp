// What the fuzz targets share.
#pragma once

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace bpfkit::fuzz {

// libbpf explains every rejection on stderr: drowns the fuzzer's output.
inline int quiet_libbpf(enum libbpf_print_level, const char *, va_list) { return 0; }
inline void silence_libbpf() { libbpf_set_print(quiet_libbpf); }

inline std::span<const std::byte> as_bytes(const std::uint8_t *data, std::size_t size) {
  return {reinterpret_cast<const std::byte *>(data), size};
}

inline std::string as_string(const std::uint8_t *data, std::size_t size) {
  return {reinterpret_cast<const char *>(data), size};
}

}  // namespace bpfkit::fuzz
