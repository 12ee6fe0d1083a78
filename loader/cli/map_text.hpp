// A map in the kernel, seen through its fd and its BTF: what `bpfkit map`
// and `bpfkit run` use to read, write and print entries.
//
// Keys and values are decoded by the BTF the kernel holds for the map
// (bpf_map_info's btf_id, btf_key_type_id, btf_value_type_id) with
// bpfkit::btf_text, in the syntax bpf_add_test's SET_MAP/EXPECT_MAP use;
// without a BTF type, by size (btf_text's parse_bytes/format_bytes).
//
// Text forms (one entry):
//   NAME[KEY] = VALUE
//   NAME[KEY]:                      per-CPU maps: one line per possible CPU
//     cpu0: VALUE
//     cpu1: VALUE
// JSON forms (one entry):
//   {"key": KEY, "value": VALUE}
//   {"key": KEY, "values": [VALUE_cpu0, VALUE_cpu1, ...]}
#pragma once

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pin_layout.hpp"

namespace bpfkit::cli {

using bytes = std::vector<std::uint8_t>;

// `text` as a JSON string literal (quoted and escaped).
std::string json_quote(std::string_view text);

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};
using btf_ptr = std::shared_ptr<btf>;

class kernel_map {
 public:
  // Opens the map pinned at `path` (throws cli_error: exit 3 when there is
  // none, exit 4 without privileges).
  static kernel_map open_pinned(const std::string &path);
  // Takes ownership of `fd`. `name` overrides the kernel's (15-character)
  // name, e.g. with libbpf's full name.
  static kernel_map adopt(owned_fd fd, std::string name = {});

  int fd() const { return fd_->get(); }
  const bpf_map_info &info() const { return info_; }
  const std::string &name() const { return name_; }
  bpf_map_type type() const { return static_cast<bpf_map_type>(info_.type); }
  std::string type_name() const;
  bool per_cpu() const;
  unsigned cpus() const { return per_cpu() ? cpus_ : 1; }
  // Whether entries can be listed and looked up by key.
  bool keyed() const;
  // The program cannot write it (.rodata, .kconfig).
  bool read_only_for_programs() const;

  const btf *type_info() const { return btf_.get(); }
  std::uint32_t key_type() const { return info_.btf_key_type_id; }
  std::uint32_t value_type() const { return info_.btf_value_type_id; }
  std::string describe_key_type() const;
  std::string describe_value_type() const;

  std::size_t key_size() const { return info_.key_size; }
  std::size_t value_size() const { return info_.value_size; }  // one CPU's
  // A whole value as the syscalls see it: one 8-byte aligned slot per CPU.
  std::size_t value_buffer_size() const;
  std::span<const std::uint8_t> cpu_value(std::span<const std::uint8_t> buffer, unsigned cpu) const;

  // Text (btf_text syntax) to bytes. Throws cli_error (exit 3) naming
  // `what` ("KEY", "VALUE") and the column on a bad value.
  bytes parse_key(std::string_view text, const std::string &what = "KEY") const;
  bytes parse_value(std::string_view text, const std::string &what = "VALUE") const;  // one CPU's
  std::string format_key(std::span<const std::uint8_t> key, bool json) const;
  std::string format_value(std::span<const std::uint8_t> one_cpu, bool json) const;

  // Syscalls; lookup returns nullopt when the key is absent.
  std::optional<bytes> lookup(std::span<const std::uint8_t> key) const;
  void update(std::span<const std::uint8_t> key, std::span<const std::uint8_t> value,
              std::uint64_t flags) const;
  // Every entry, keyed by the key's bytes. Throws cli_error when the map
  // cannot be listed.
  std::map<bytes, bytes> entries() const;

  // One entry in the text or JSON form above; `indent` prefixes text lines.
  std::string entry_text(std::span<const std::uint8_t> key, std::span<const std::uint8_t> value,
                         const std::string &indent = {}) const;
  std::string entry_json(std::span<const std::uint8_t> key, std::span<const std::uint8_t> value) const;
  // A whole value (all CPUs) as JSON: the value, or an array of per-CPU values.
  std::string value_json(std::span<const std::uint8_t> value) const;
  // {"name":..., "id":..., "type":..., "key_type":..., ...}
  std::string header_json() const;

 private:
  kernel_map() = default;

  std::shared_ptr<owned_fd> fd_;
  bpf_map_info info_{};
  std::string name_;
  btf_ptr btf_;
  unsigned cpus_ = 1;
};

// Loads the kernel's BTF object `id` (nullptr for id 0). Throws cli_error.
btf_ptr load_kernel_btf(std::uint32_t id);

}  // namespace bpfkit::cli
