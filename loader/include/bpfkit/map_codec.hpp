// bpfkit::map_codec: the keys and values of one map as text and JSON, and
// back, by the map's BTF. It knows nothing of fds: bpfkit::map_view binds it
// to a map in the kernel.
//
// This is the one place map contents become text: bpf_add_test's SET_MAP,
// EXPECT_MAP and SET_GLOBAL, `bpfkit map` and `bpfkit run`, and the
// GoogleTest matchers of bpfkit::testing all use it, so a value reads the
// same everywhere. The syntax is btf_text's (<bpfkit/btf_text.hpp>): 42,
// 0x2a, {saddr=0x0a000001, port=53}, [1, 2], "text". Without a BTF type a
// key or value is written by its size (btf_text's parse_bytes/format_bytes).
//
// Per-CPU maps: a lookup returns one 8-byte-aligned slot per possible CPU
// (a "buffer"); parse_value/format_value work on one CPU's value, and
// cpu_value() picks it out of a buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/map_type.hpp"

struct btf;  // libbpf's

namespace bpfkit {

class map_codec {
 public:
  using bytes = std::vector<std::uint8_t>;

  // What the codec needs to know of a map.
  struct layout {
    map_type type = map_type::unspec;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;  // one CPU's
    std::uint32_t key_type = 0;    // BTF type ids; 0: none
    std::uint32_t value_type = 0;
  };

  map_codec() = default;
  // `types` may be null: keys and values are then written by size, as they
  // are when a type id is 0 or its size is not the map's (such a type is
  // not trusted).
  map_codec(std::shared_ptr<const ::btf> types, const layout& map);

  map_type type() const noexcept { return map_.type; }
  bool per_cpu() const noexcept { return is_per_cpu(map_.type); }
  std::size_t cpus() const noexcept { return cpus_; }  // values per key: 1 unless per-CPU
  std::size_t key_size() const noexcept { return map_.key_size; }
  std::size_t value_size() const noexcept { return map_.value_size; }  // one CPU's
  // What a lookup returns: the value, or one 8-byte-aligned slot per CPU.
  std::size_t value_buffer_size() const noexcept;
  const ::btf* types() const noexcept { return types_.get(); }
  std::uint32_t key_type() const noexcept { return map_.key_type; }
  std::uint32_t value_type() const noexcept { return map_.value_type; }
  // "struct flow_key", or "8 bytes (no BTF type)".
  std::string describe_key() const;
  std::string describe_value() const;

  // Text to bytes; throws btf_text_error (with the column) on a bad value.
  bytes parse_key(std::string_view text) const;
  bytes parse_value(std::string_view text) const;  // one CPU's
  std::string format_key(std::span<const std::uint8_t> key, format_style style = format_style::text) const;
  std::string format_value(std::span<const std::uint8_t> one_cpu,
                           format_style style = format_style::text) const;

  // One CPU's value in a lookup buffer.
  std::span<const std::uint8_t> cpu_value(std::span<const std::uint8_t> buffer, std::size_t cpu) const;
  // A buffer holding `one_cpu` for every CPU (what an update of a per-CPU
  // map writes when one value is given).
  bytes every_cpu(std::span<const std::uint8_t> one_cpu) const;
  // A whole buffer: the value, or per CPU "[v0, v1, ...]".
  std::string format_buffer(std::span<const std::uint8_t> buffer,
                            format_style style = format_style::text) const;

  // One entry: text "NAME[KEY] = VALUE" (per-CPU: "NAME[KEY]:" and one
  // "  cpuN: VALUE" line per CPU, each line after `indent`), or JSON
  // {"key": KEY, "value": VALUE} / {"key": KEY, "values": [...]}.
  std::string entry_text(std::string_view map_name, std::span<const std::uint8_t> key,
                         std::span<const std::uint8_t> buffer, std::string_view indent = {}) const;
  std::string entry_json(std::span<const std::uint8_t> key, std::span<const std::uint8_t> buffer) const;

  // Values that are integers (at most 8 bytes) can be added up over CPUs:
  // what EXPECT_MAP compares a per-CPU entry with. sum_cpus() is the sum as
  // one CPU's value.
  bool summable() const;
  bytes sum_cpus(std::span<const std::uint8_t> buffer) const;

  // Zeroes a key's padding bytes (a round trip through its text), as the
  // kernel's copy of a properly zeroed key has them: C++ copies of a struct
  // do not keep its padding. No-op without a BTF key type.
  void zero_key_padding(std::span<std::uint8_t> key) const noexcept;

  // The variables of a global data section (a map whose value type is a
  // DATASEC: .rodata, .data, .bss, ...), for SET_GLOBAL.
  struct variable {
    std::string name;
    std::uint32_t offset = 0;
    std::uint32_t type = 0;
    std::size_t size = 0;
  };
  std::vector<variable> variables() const;
  bytes parse_variable(const variable& var, std::string_view text) const;

 private:
  std::shared_ptr<const ::btf> types_;
  layout map_;
  std::size_t cpus_ = 1;
};

// A type of a BTF found by its name, to decode bytes that are no map's key
// or value: the events of a ring buffer or perf event array (`bpfkit map
// watch --type NAME`).
struct named_type {
  std::uint32_t id = 0;
  std::size_t size = 0;  // 0 when the type has no size (e.g. a forward declaration)
};
// The struct, union, typedef, int or enum called `name` ("struct ",
// "union " and "enum " prefixes allowed), tried in that order; nullopt when
// `types` has none (or is null).
std::optional<named_type> find_named_type(const ::btf* types, std::string_view name);
// The names of the first `limit` named structs of `types`, in id order: what
// to suggest when find_named_type() finds nothing.
std::vector<std::string> struct_names(const ::btf* types, std::size_t limit);

// How every failed expectation of a map reads:
//   "PACKET_COUNTER[0]: expected 5, found 4"
std::string expected_found(std::string_view where, std::string_view expected, std::string_view found);

}  // namespace bpfkit
