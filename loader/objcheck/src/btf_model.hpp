// BTF as the checks see it: the header's sections and an index of the types,
// read in the data's own byte order. Built by parse_btf(), which checks the
// layout (every record inside its section); btf_check.cpp checks the rest.
#pragma once

#include <linux/btf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/object_check.hpp"
#include "bytes.hpp"

namespace bpfkit::object_check::detail {

struct btf_type_entry {
  std::uint32_t offset;        // of its struct btf_type in the type section
  std::uint32_t name_off;
  std::uint32_t size_or_type;  // the union in struct btf_type
  std::uint16_t vlen;
  std::uint8_t kind;
  bool kind_flag;
};

class btf_model {
 public:
  bool big_endian() const { return types_.big_endian(); }
  // Type ids [first_id(), end_id()) are this BTF's; lower ones its base's.
  std::uint32_t first_id() const { return first_id_; }
  std::uint32_t end_id() const { return first_id_ + static_cast<std::uint32_t>(entries_.size()); }
  bool has_type(std::uint32_t id) const { return id < end_id(); }  // 0 (void) included

  // Base types included; nullptr for void (id 0). `id` must be < end_id().
  const btf_type_entry *entry(std::uint32_t id) const;
  // The kind of `id`, BTF_KIND_UNKN for void.
  std::uint8_t kind(std::uint32_t id) const;

  // The NUL-terminated string at `offset` (base strings first, for split
  // BTF), or nothing when the offset is past the end.
  std::optional<std::string_view> string_at(std::uint32_t offset) const;
  // The name of `id` for messages: `[7] STRUCT "task_struct"`.
  std::string describe(std::uint32_t id) const;

  // The bytes following the struct btf_type of `id` (members, params, ...);
  // their length is what its kind and vlen say. `id` must be a type, not void.
  byte_view trailing(std::uint32_t id) const;

  static std::size_t trailing_size(std::uint8_t kind, std::uint16_t vlen);

 private:
  friend result parse_btf(std::span<const std::byte>, const btf_model *, const limits &, btf_model &);

  const btf_model *base_ = nullptr;
  std::uint32_t first_id_ = 1;
  std::uint32_t first_string_ = 0;  // string offsets below this are the base's
  byte_view types_;
  byte_view strings_;
  std::vector<btf_type_entry> entries_;
};

// Reads the header and indexes the types of `raw` (split on `base` when given).
// Checks everything needed to read it safely: header fields, section bounds,
// a string section ending in NUL, and each type's record inside the type
// section with a known kind.
result parse_btf(std::span<const std::byte> raw, const btf_model *base, const limits &limits,
                 btf_model &out);

// The checks on a parsed model's content: type references, names, sizes,
// reference cycles and nesting depth.
result check_btf_content(const btf_model &model, const limits &limits);

const char *btf_kind_name(std::uint8_t kind);

// The size of the ELF section of a given name, when the caller knows the
// ELF file around the BTF (to check instruction offsets); nothing when the
// file has no such section.
class section_sizes {
 public:
  virtual ~section_sizes() = default;
  virtual std::optional<std::uint64_t> size_of(std::string_view name) const = 0;
};

// check_btf_ext() with a parsed, checked .BTF and, when known, the sections.
result check_btf_ext_content(std::span<const std::byte> btf_ext, const btf_model &btf,
                             const section_sizes *sections);

}  // namespace bpfkit::object_check::detail
