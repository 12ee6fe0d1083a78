// Checks of .BTF.ext: the header, then each of its three record tables
// (func_info, line_info, core_relo) against the .BTF it refers to.
#include <string>

#include "btf_model.hpp"

namespace bpfkit::object_check {
namespace detail {

namespace {

constexpr std::size_t min_header_size = 24;   // up to line_info_len
constexpr std::size_t core_header_size = 32;  // with core_relo_off/_len
constexpr std::uint32_t max_core_relo_kind = 12;  // BPF_CORE_TYPE_MATCHES

problem ext_problem(std::string detail) { return {part::btf_ext, std::move(detail)}; }

enum class table { func_info, line_info, core_relo };

const char *table_name(table t) {
  switch (t) {
    case table::func_info: return "func_info";
    case table::line_info: return "line_info";
    case table::core_relo: return "core_relo";
  }
  return "";
}

std::uint32_t min_record_size(table t) { return t == table::func_info ? 8 : 16; }

// "0:1:3": indices separated by colons, as libbpf parses CO-RE access strings.
bool is_access_string(std::string_view text) {
  if (text.empty()) return false;
  std::size_t digits = 0;
  for (char c : text) {
    if (c == ':') {
      if (digits == 0) return false;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 9) return false;  // fits an int
    } else {
      return false;
    }
  }
  return digits > 0;
}

class ext_checker {
 public:
  ext_checker(const byte_view &data, const btf_model &btf, const section_sizes *sections)
      : data_(data), btf_(btf), sections_(sections) {}

  // The table at [offset, offset + length) of the data after the header.
  result check_table(table t, std::uint32_t offset, std::uint32_t length) {
    const char *name = table_name(t);
    if (length == 0) return std::nullopt;
    if (offset % 4 != 0)
      return ext_problem(std::string(name) + " starts at offset " + std::to_string(offset) +
                         ", not a multiple of 4");
    if (!data_.fits(offset, length))
      return ext_problem(std::string(name) + " (offset " + std::to_string(offset) + ", " +
                         std::to_string(length) + " bytes) runs past the end of the section");
    const byte_view records = data_.sub(offset, length);
    if (records.size() < 4) return ext_problem(std::string(name) + " has no record size");
    const std::uint32_t record_size = records.u32(0);
    if (record_size < min_record_size(t) || record_size % 4 != 0)
      return ext_problem(std::string(name) + " has the record size " + std::to_string(record_size) +
                         " (at least " + std::to_string(min_record_size(t)) +
                         ", a multiple of 4)");
    std::size_t at = 4;
    while (at < records.size()) {
      if (!records.fits(at, 8))
        return ext_problem(std::string(name) + " ends in the middle of a section header");
      const std::uint32_t name_off = records.u32(at), count = records.u32(at + 4);
      auto section = btf_.string_at(name_off);
      if (!section || section->empty())
        return ext_problem(std::string(name) + " names its section with the string offset " +
                           std::to_string(name_off) + ", which is not a name in .BTF");
      if (count == 0)
        return ext_problem(std::string(name) + " for section " + quote(*section) +
                           " has no records");
      at += 8;
      if (!records.fits(at, std::uint64_t{count} * record_size))
        return ext_problem(std::string(name) + " for section " + quote(*section) + " has " +
                           std::to_string(count) + " records, more than fit in the table");
      std::optional<std::uint64_t> section_size;
      if (sections_) {
        section_size = sections_->size_of(*section);
        if (!section_size)
          return ext_problem(std::string(name) + " refers to the section " + quote(*section) +
                             ", which the object does not have");
      }
      for (std::uint32_t i = 0; i < count; ++i, at += record_size)
        if (auto p = check_record(t, *section, i, records.sub(at, record_size), section_size))
          return p;
    }
    return std::nullopt;
  }

 private:
  result check_record(table t, std::string_view section, std::uint32_t index,
                      const byte_view &record, std::optional<std::uint64_t> section_size) const {
    const std::string where = std::string(table_name(t)) + " record " + std::to_string(index) +
                              " of section " + quote(section);
    const std::uint32_t insn_off = record.u32(0);
    if (insn_off % 8 != 0)
      return ext_problem(where + " has the instruction offset " + std::to_string(insn_off) +
                         ", not a multiple of 8");
    if (section_size && insn_off >= *section_size)
      return ext_problem(where + " has the instruction offset " + std::to_string(insn_off) +
                         ", past the end of the section (" + std::to_string(*section_size) +
                         " bytes)");
    switch (t) {
      case table::func_info: {
        const std::uint32_t type = record.u32(4);
        if (!btf_.has_type(type) || btf_.kind(type) != BTF_KIND_FUNC)
          return ext_problem(where + " refers to type " + std::to_string(type) +
                             ", which is not a FUNC in .BTF");
        return std::nullopt;
      }
      case table::line_info:
        if (!btf_.string_at(record.u32(4)))
          return ext_problem(where + " has a file name offset past the end of the .BTF strings");
        if (!btf_.string_at(record.u32(8)))
          return ext_problem(where + " has a source line offset past the end of the .BTF strings");
        return std::nullopt;
      case table::core_relo: {
        const std::uint32_t type = record.u32(4), kind = record.u32(12);
        if (type == 0 || !btf_.has_type(type))
          return ext_problem(where + " refers to type " + std::to_string(type) +
                             ", which is not a type in .BTF");
        auto access = btf_.string_at(record.u32(8));
        if (!access || !is_access_string(*access))
          return ext_problem(where + " has no access string of the form 0:1:2");
        if (kind > max_core_relo_kind)
          return ext_problem(where + " has the unknown relocation kind " + std::to_string(kind));
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  const byte_view &data_;
  const btf_model &btf_;
  const section_sizes *sections_;
};

}  // namespace

result check_btf_ext_content(std::span<const std::byte> raw, const btf_model &btf,
                             const section_sizes *sections) {
  if (raw.size() < 4) return ext_problem("shorter than its header");
  const auto b0 = static_cast<std::uint8_t>(raw[0]), b1 = static_cast<std::uint8_t>(raw[1]);
  const bool little = b0 == 0x9f && b1 == 0xeb, big = b0 == 0xeb && b1 == 0x9f;
  if (!little && !big) return ext_problem("no BTF magic 0xeb9f at the start");
  if (big != btf.big_endian()) return ext_problem("its byte order differs from .BTF's");
  const byte_view whole(raw, big);
  if (whole.u8(2) != 1)
    return ext_problem("version " + std::to_string(whole.u8(2)) + ", only version 1 exists");
  if (whole.u8(3) != 0) return ext_problem("unknown header flags " + std::to_string(whole.u8(3)));
  if (raw.size() < 8) return ext_problem("shorter than its header");
  const std::uint32_t hdr_len = whole.u32(4);
  if (hdr_len < min_header_size || hdr_len > raw.size())
    return ext_problem("header length " + std::to_string(hdr_len) + " is not between " +
                       std::to_string(min_header_size) + " and the section size " +
                       std::to_string(raw.size()));
  const byte_view data = whole.sub(hdr_len, raw.size() - hdr_len);
  ext_checker checker(data, btf, sections);
  if (auto p = checker.check_table(table::func_info, whole.u32(8), whole.u32(12))) return p;
  if (auto p = checker.check_table(table::line_info, whole.u32(16), whole.u32(20))) return p;
  if (hdr_len >= core_header_size)
    if (auto p = checker.check_table(table::core_relo, whole.u32(24), whole.u32(28))) return p;
  return std::nullopt;
}

}  // namespace detail

result check_btf_ext(std::span<const std::byte> btf_ext, std::span<const std::byte> btf,
                     const limits &limits) {
  detail::btf_model model;
  if (auto p = detail::parse_btf(btf, nullptr, limits, model)) return p;
  if (auto p = detail::check_btf_content(model, limits)) return p;
  return detail::check_btf_ext_content(btf_ext, model, nullptr);
}

}  // namespace bpfkit::object_check
