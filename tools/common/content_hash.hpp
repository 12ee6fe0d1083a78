// A 64-bit hash of bytes, for the build tools' up-to-date checks
// (bpfkit-vmlinux's input fingerprint). Not cryptographic: it tells changed
// inputs apart, nothing adversarial. It mixes 8-byte words
// (multiply-xorshift): about 1 ms for the kernel's 5 MB.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace bpfkit::tools {

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
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
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

}  // namespace bpfkit::tools
