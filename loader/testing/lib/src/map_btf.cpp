#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <cstring>
#include <exception>
#include <vector>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/testing/map_matchers.hpp"

namespace bpfkit::testing::detail {
namespace {

std::span<const std::uint8_t> as_u8(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

}  // namespace

struct map_btf::impl {
  btf* types = nullptr;
  std::uint32_t key_type = 0;
  std::uint32_t value_type = 0;

  ~impl() { btf__free(types); }

  std::optional<std::string> format(std::uint32_t type, std::span<const std::byte> bytes) const {
    if (type == 0) return std::nullopt;
    const long long size = btf__resolve_size(types, type);
    if (size < 0 || static_cast<std::size_t>(size) != bytes.size()) return std::nullopt;
    try {
      return format_value(types, type, as_u8(bytes));
    } catch (const std::exception&) {
      return std::nullopt;  // a type the codec cannot write: the caller's fallback can
    }
  }
};

map_btf::map_btf(const map_handle& map) noexcept {
  try {
    const int fd = map.fd();
    if (fd < 0) return;
    bpf_map_info info{};
    __u32 length = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0 || info.btf_id == 0) return;
    btf* types = btf__load_from_kernel_by_id(info.btf_id);
    if (!types) return;
    impl_ = std::make_unique<impl>();
    impl_->types = types;
    impl_->key_type = info.btf_key_type_id;
    impl_->value_type = info.btf_value_type_id;
  } catch (const std::exception&) {
    impl_.reset();  // unbound map: no BTF, the fallbacks apply
  }
}

map_btf::~map_btf() = default;

bool map_btf::has_key_type() const noexcept { return impl_ && impl_->key_type != 0; }
bool map_btf::has_value_type() const noexcept { return impl_ && impl_->value_type != 0; }

std::optional<std::string> map_btf::key(std::span<const std::byte> bytes) const {
  if (!impl_) return std::nullopt;
  return impl_->format(impl_->key_type, bytes);
}

std::optional<std::string> map_btf::value(std::span<const std::byte> bytes) const {
  if (!impl_) return std::nullopt;
  return impl_->format(impl_->value_type, bytes);
}

void map_btf::zero_key_padding(std::span<std::byte> bytes) const noexcept {
  if (!impl_ || impl_->key_type == 0) return;
  try {
    const std::optional<std::string> text = impl_->format(impl_->key_type, bytes);
    if (!text) return;
    const std::vector<std::uint8_t> canonical = parse_value(impl_->types, impl_->key_type, *text);
    if (canonical.size() == bytes.size()) std::memcpy(bytes.data(), canonical.data(), bytes.size());
  } catch (const std::exception&) {
    // A key the codec cannot round-trip stays as it is.
  }
}

std::string bytes_text(std::span<const std::byte> bytes) { return format_bytes(as_u8(bytes)); }

}  // namespace bpfkit::testing::detail
