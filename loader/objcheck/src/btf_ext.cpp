// The structure of .BTF.ext (see bpfkit/btf_ext.hpp).
#include "bpfkit/btf_ext.hpp"

#include <bit>
#include <cstring>
#include <string>

#include "bytes.hpp"

namespace bpfkit::btf_ext {
namespace {

using object_check::detail::byte_view;

constexpr std::size_t min_header_size = 24;   // up to line_info_len
constexpr std::size_t core_header_size = 32;  // with core_relo_off/_len

object_check::problem ext_problem(std::string detail) {
  return {object_check::part::btf_ext, std::move(detail)};
}

std::uint32_t min_record_size(table t) { return t == table::func_info ? 8 : 16; }

// `section "xdp"` when the name is known, else the string offset that names it.
std::string section_text(const section_names &names, std::uint32_t name_off) {
  if (names)
    if (auto name = names(name_off)) return "section " + object_check::quote(*name);
  return "the section named at string offset " + std::to_string(name_off);
}

// Appends the groups of the table at [offset, offset + length) of `data`,
// the bytes after the header (which start at `data_start` in the section).
object_check::result read_table(table t, const byte_view &data, std::size_t data_start, std::uint32_t offset,
                                std::uint32_t length, const section_names &names, std::vector<record_group> &groups) {
  const std::string name = table_name(t);
  if (length == 0) return std::nullopt;
  if (offset % 4 != 0)
    return ext_problem(name + " starts at offset " + std::to_string(offset) + ", not a multiple of 4");
  if (!data.fits(offset, length))
    return ext_problem(name + " (offset " + std::to_string(offset) + ", " + std::to_string(length) +
                       " bytes) runs past the end of the section");
  const byte_view records = data.sub(offset, length);
  if (records.size() < 4) return ext_problem(name + " has no record size");
  const std::uint32_t record_size = records.u32(0);
  if (record_size < min_record_size(t) || record_size % 4 != 0)
    return ext_problem(name + " has the record size " + std::to_string(record_size) + " (at least " +
                       std::to_string(min_record_size(t)) + ", a multiple of 4)");
  std::size_t at = 4;
  while (at < records.size()) {
    if (!records.fits(at, 8)) return ext_problem(name + " ends in the middle of a section header");
    record_group group{t, records.u32(at), record_size, records.u32(at + 4), 0};
    at += 8;
    if (!records.fits(at, std::uint64_t{group.count} * record_size))
      return ext_problem(name + " for " + section_text(names, group.section_name_off) + " has " +
                         std::to_string(group.count) + " records, more than fit in the table");
    group.first_record = data_start + offset + at;
    at += std::size_t{group.count} * record_size;
    groups.push_back(group);
  }
  return std::nullopt;
}

byte_view record(std::span<const std::byte> section, const layout &l, const record_group &group,
                 std::uint32_t index) {
  return byte_view(section, l.big_endian).sub(group.record_offset(index), group.record_size);
}

}  // namespace

const char *table_name(table t) {
  switch (t) {
    case table::func_info: return "func_info";
    case table::line_info: return "line_info";
    case table::core_relo: return "core_relo";
  }
  return "";
}

std::optional<bool> big_endian(std::span<const std::byte> section) {
  if (section.size() < 2) return std::nullopt;
  const auto b0 = static_cast<std::uint8_t>(section[0]), b1 = static_cast<std::uint8_t>(section[1]);
  if (b0 == 0x9f && b1 == 0xeb) return false;
  if (b0 == 0xeb && b1 == 0x9f) return true;
  return std::nullopt;
}

object_check::result read_layout(std::span<const std::byte> section, layout &out, const section_names &names) {
  out = layout{};
  if (section.size() < 4) return ext_problem("shorter than its header");
  const std::optional<bool> big = big_endian(section);
  if (!big) return ext_problem("no BTF magic 0xeb9f at the start");
  const byte_view whole(section, *big);
  if (whole.u8(2) != 1) return ext_problem("version " + std::to_string(whole.u8(2)) + ", only version 1 exists");
  if (whole.u8(3) != 0) return ext_problem("unknown header flags " + std::to_string(whole.u8(3)));
  if (section.size() < 8) return ext_problem("shorter than its header");
  const std::uint32_t hdr_len = whole.u32(4);
  if (hdr_len < min_header_size || hdr_len > section.size())
    return ext_problem("header length " + std::to_string(hdr_len) + " is not between " +
                       std::to_string(min_header_size) + " and the section size " + std::to_string(section.size()));
  out.big_endian = *big;
  out.header_length = hdr_len;
  const byte_view data = whole.sub(hdr_len, section.size() - hdr_len);
  if (auto p = read_table(table::func_info, data, hdr_len, whole.u32(8), whole.u32(12), names, out.groups)) return p;
  if (auto p = read_table(table::line_info, data, hdr_len, whole.u32(16), whole.u32(20), names, out.groups)) return p;
  if (hdr_len >= core_header_size)
    if (auto p = read_table(table::core_relo, data, hdr_len, whole.u32(24), whole.u32(28), names, out.groups)) return p;
  return std::nullopt;
}

line_info read_line_info(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index) {
  const byte_view r = record(section, l, group, index);
  return {r.u32(0), r.u32(4), r.u32(8), r.u32(12)};
}

func_info read_func_info(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index) {
  const byte_view r = record(section, l, group, index);
  return {r.u32(0), r.u32(4)};
}

core_relo read_core_relo(std::span<const std::byte> section, const layout &l, const record_group &group,
                         std::uint32_t index) {
  const byte_view r = record(section, l, group, index);
  return {r.u32(0), r.u32(4), r.u32(8), r.u32(12)};
}

std::uint32_t insn_offset(std::span<const std::byte> section, const layout &l, const record_group &group,
                          std::uint32_t index) {
  return record(section, l, group, index).u32(0);
}

void set_insn_offset(std::span<std::byte> section, const layout &l, const record_group &group,
                     std::uint32_t index, std::uint32_t offset) {
  if (l.big_endian != (std::endian::native == std::endian::big)) offset = __builtin_bswap32(offset);
  std::memcpy(section.data() + group.record_offset(index), &offset, sizeof offset);
}

}  // namespace bpfkit::btf_ext
