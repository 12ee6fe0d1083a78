// The GoogleTest matchers' view of a map: bpfkit::map_view, the one codec of
// map contents that EXPECT_MAP and the CLI use too.
#include <cstring>
#include <exception>
#include <optional>
#include <vector>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/map_view.hpp"
#include "bpfkit/testing/map_matchers.hpp"

namespace bpfkit::testing::detail {
namespace {

std::span<const std::uint8_t> as_u8(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

}  // namespace

struct map_btf::impl {
  map_view view;
};

map_btf::map_btf(const map_handle& map) noexcept {
  try {
    if (map.fd() >= 0) impl_ = std::make_unique<impl>(impl{map_view::of(map)});
  } catch (const std::exception&) {
    impl_.reset();  // an unbound map: no BTF, the fallbacks apply
  }
}

map_btf::~map_btf() = default;

bool map_btf::has_key_type() const noexcept { return impl_ && impl_->view.codec().key_type() != 0; }
bool map_btf::has_value_type() const noexcept { return impl_ && impl_->view.codec().value_type() != 0; }

std::optional<std::string> map_btf::key(std::span<const std::byte> bytes) const {
  if (!has_key_type() || bytes.size() != impl_->view.codec().key_size()) return std::nullopt;
  try {
    return impl_->view.codec().format_key(as_u8(bytes));
  } catch (const std::exception&) {
    return std::nullopt;  // a type the codec cannot write: the caller's fallback can
  }
}

std::optional<std::string> map_btf::value(std::span<const std::byte> bytes) const {
  if (!has_value_type() || bytes.size() != impl_->view.codec().value_size()) return std::nullopt;
  try {
    return impl_->view.codec().format_value(as_u8(bytes));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void map_btf::zero_key_padding(std::span<std::byte> bytes) const noexcept {
  if (impl_)
    impl_->view.codec().zero_key_padding(
        {reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()});
}

std::string map_btf::missing_key_note(std::span<const std::byte> key) const {
  if (!impl_) return {};
  try {
    return impl_->view.missing_key_note(as_u8(key));
  } catch (const std::exception&) {
    return {};
  }
}

std::string bytes_text(std::span<const std::byte> bytes) { return format_bytes(as_u8(bytes)); }

}  // namespace bpfkit::testing::detail
