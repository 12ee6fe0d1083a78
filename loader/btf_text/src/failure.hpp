// Internal error carrier: the parts below the public API know the offset of a
// problem but not always the whole text, so they throw this and the API entry
// points turn it into a btf_text_error with line and column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "bpfkit/btf_text.hpp"

namespace bpfkit::btf_text_detail {

struct text_failure {
  std::string reason;
  std::size_t offset;
};

[[noreturn]] inline void fail_at(std::size_t offset, std::string reason) {
  throw text_failure{std::move(reason), offset};
}

// Runs fn(), reporting text_failure as btf_text_error located in `text`.
template <typename Fn>
auto located(std::string_view text, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const text_failure& f) {
    throw btf_text_error(f.reason, f.offset, text);
  }
}

}  // namespace bpfkit::btf_text_detail
