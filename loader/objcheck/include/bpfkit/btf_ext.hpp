// bpfkit::btf_ext: the layout of a .BTF.ext section, read in one place.
//
// .BTF.ext holds three tables of per-instruction records (function info,
// line info, CO-RE relocations), each grouped by the ELF section whose
// instructions they name:
//   header: u16 magic 0xeb9f, u8 version, u8 flags, u32 hdr_len,
//           u32 func_info_off/len, u32 line_info_off/len,
//           [u32 core_relo_off/len when hdr_len covers them]
//   table (offsets count from the end of the header):
//           u32 record_size, then per section {u32 name_off, u32 count,
//           count records of record_size bytes}
// Every record starts with the byte offset of its instruction in its section.
//
// read_layout() checks the structure (everything lies inside the section,
// records are as large as their kind needs) and lists the groups;
// object_check::check_btf_ext() adds the checks against .BTF on top of it.
// The line-info and CO-RE readers of the runtime, `bpfkit core` and the
// coverage engine read records through the accessors below, in either byte
// order, and never past the section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bpfkit/object_check.hpp"

namespace bpfkit::btf_ext {

enum class table { func_info, line_info, core_relo };

// "func_info", "line_info" or "core_relo", for messages.
const char *table_name(table t);

// The records of one table that name instructions of one ELF section.
struct record_group {
  btf_ext::table table = table::func_info;
  std::uint32_t section_name_off = 0;  // a string offset in .BTF
  std::uint32_t record_size = 0;       // as the table declares it; at least what its kind needs
  std::uint32_t count = 0;
  std::size_t first_record = 0;  // byte offset of record 0 from the start of the section

  std::size_t record_offset(std::uint32_t index) const { return first_record + std::size_t{index} * record_size; }
};

struct layout {
  bool big_endian = false;
  std::uint32_t header_length = 0;
  std::vector<record_group> groups;  // in file order: func_info, line_info, core_relo
};

// Whether `section` is big-endian, as its magic says; nothing without the magic.
std::optional<bool> big_endian(std::span<const std::byte> section);

// The name of the ELF section a group's string offset names, for messages
// (nothing when the offset names no string).
using section_names = std::function<std::optional<std::string_view>(std::uint32_t string_offset)>;

// The structure of `section`, or the problem (part btf_ext) that makes it
// unreadable; `names` only words the messages.
object_check::result read_layout(std::span<const std::byte> section, layout &out, const section_names &names = {});

// struct bpf_line_info
struct line_info {
  std::uint32_t insn_off = 0;  // bytes from the start of the section
  std::uint32_t file_name_off = 0;
  std::uint32_t line_off = 0;  // the source text of the line
  std::uint32_t line_col = 0;
  std::uint32_t line() const { return line_col >> 10; }
  std::uint32_t column() const { return line_col & 0x3ff; }
};

// struct bpf_func_info
struct func_info {
  std::uint32_t insn_off = 0;
  std::uint32_t type_id = 0;
};

// struct bpf_core_relo
struct core_relo {
  std::uint32_t insn_off = 0;
  std::uint32_t type_id = 0;
  std::uint32_t access_str_off = 0;
  std::uint32_t kind = 0;  // enum bpf_core_relo_kind
};

// Record `index` of `group`, from a section read_layout() accepted.
line_info read_line_info(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index);
func_info read_func_info(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index);
core_relo read_core_relo(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index);

// The instruction offset every record starts with, read and rewritten in
// place (the coverage engine moves instructions).
std::uint32_t insn_offset(std::span<const std::byte> section, const layout &l, const record_group &group,
                          std::uint32_t index);
void set_insn_offset(std::span<std::byte> section, const layout &l, const record_group &group,
                     std::uint32_t index, std::uint32_t offset);

}  // namespace bpfkit::btf_ext
