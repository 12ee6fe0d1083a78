// bpfkit::content_hash: the one 64-bit hash of bytes bpfkit uses for names
// and up-to-date checks (bpfkit-vmlinux's input fingerprint, bpfkit-cc's PCH
// cache, the test server's and the baselines' per-tree names, the run
// record's object keys). Not cryptographic: it tells different inputs apart,
// nothing adversarial. The same bytes give the same hash in every process
// and on every machine (little-endian x86-64). It mixes 8-byte words
// (multiply-xorshift): about 1 ms for the kernel's 5 MB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace bpfkit {

class content_hash {
 public:
  // Adds `bytes`, and their length (so "ab"+"c" differs from "a"+"bc").
  content_hash &add(std::string_view bytes) {
    mix(bytes.size());
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      mix(word);
    }
    std::uint64_t tail = 0;
    if (i < bytes.size()) std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    mix(tail);
    return *this;
  }

  // 16 lowercase hex digits.
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(state_));
    return text;
  }

 private:
  void mix(std::uint64_t word) {
    state_ = (state_ ^ word) * 0x9e3779b97f4a7c15ull;
    state_ ^= state_ >> 29;
  }
  std::uint64_t state_ = 0x6a09e667f3bcc908ull;
};

// The hash of one string, as 16 hex digits.
inline std::string content_hash_hex(std::string_view bytes) { return content_hash().add(bytes).hex(); }

}  // namespace bpfkit
