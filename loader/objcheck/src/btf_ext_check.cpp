// Checks of .BTF.ext: the header, then each of its three record tables
// (func_info, line_info, core_relo) against the .BTF it refers to.
#include <string>

#include "bpfkit/btf_ext.hpp"
#include "btf_model.hpp"

namespace bpfkit::object_check {
namespace detail {

namespace {

constexpr std::uint32_t max_core_relo_kind = 12;  // BPF_CORE_TYPE_MATCHES

problem ext_problem(std::string detail) { return {part::btf_ext, std::move(detail)}; }

using btf_ext::table;
using btf_ext::table_name;

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
  ext_checker(std::span<const std::byte> raw, const btf_ext::layout &layout, const btf_model &btf,
              const section_sizes *sections)
      : raw_(raw), layout_(layout), btf_(btf), sections_(sections) {}

  // The records of one group, against .BTF and the object's sections.
  result check_group(const btf_ext::record_group &group) {
    const char *name = table_name(group.table);
    auto section = btf_.string_at(group.section_name_off);
    if (!section || section->empty())
      return ext_problem(std::string(name) + " names its section with the string offset " +
                         std::to_string(group.section_name_off) + ", which is not a name in .BTF");
    if (group.count == 0) return ext_problem(std::string(name) + " for section " + quote(*section) + " has no records");
    std::optional<std::uint64_t> section_size;
    if (sections_) {
      section_size = sections_->size_of(*section);
      if (!section_size)
        return ext_problem(std::string(name) + " refers to the section " + quote(*section) +
                           ", which the object does not have");
    }
    const byte_view whole(raw_, layout_.big_endian);
    for (std::uint32_t i = 0; i < group.count; ++i)
      if (auto p = check_record(group.table, *section, i, whole.sub(group.record_offset(i), group.record_size),
                                section_size))
        return p;
    return std::nullopt;
  }

 private:
  result check_record(table t, std::string_view section, std::uint32_t index,
                      const byte_view &record, std::optional<std::uint64_t> section_size) const {
    // Built only for a message: objects carry thousands of line_info records.
    const auto where = [&] {
      return std::string(table_name(t)) + " record " + std::to_string(index) + " of section " +
             quote(section);
    };
    const std::uint32_t insn_off = record.u32(0);
    if (insn_off % 8 != 0)
      return ext_problem(where() + " has the instruction offset " + std::to_string(insn_off) +
                         ", not a multiple of 8");
    if (section_size && insn_off >= *section_size)
      return ext_problem(where() + " has the instruction offset " + std::to_string(insn_off) +
                         ", past the end of the section (" + std::to_string(*section_size) +
                         " bytes)");
    switch (t) {
      case table::func_info: {
        const std::uint32_t type = record.u32(4);
        if (!btf_.has_type(type) || btf_.kind(type) != BTF_KIND_FUNC)
          return ext_problem(where() + " refers to type " + std::to_string(type) +
                             ", which is not a FUNC in .BTF");
        return std::nullopt;
      }
      case table::line_info:
        if (!btf_.string_at(record.u32(4)))
          return ext_problem(where() + " has a file name offset past the end of the .BTF strings");
        if (!btf_.string_at(record.u32(8)))
          return ext_problem(where() + " has a source line offset past the end of the .BTF strings");
        return std::nullopt;
      case table::core_relo: {
        const std::uint32_t type = record.u32(4), kind = record.u32(12);
        if (type == 0 || !btf_.has_type(type))
          return ext_problem(where() + " refers to type " + std::to_string(type) +
                             ", which is not a type in .BTF");
        auto access = btf_.string_at(record.u32(8));
        if (!access || !is_access_string(*access))
          return ext_problem(where() + " has no access string of the form 0:1:2");
        if (kind > max_core_relo_kind)
          return ext_problem(where() + " has the unknown relocation kind " + std::to_string(kind));
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::span<const std::byte> raw_;
  const btf_ext::layout &layout_;
  const btf_model &btf_;
  const section_sizes *sections_;
};

}  // namespace

result check_btf_ext_content(std::span<const std::byte> raw, const btf_model &btf,
                             const section_sizes *sections) {
  // Nothing else reads right in the other byte order.
  if (const auto big = btf_ext::big_endian(raw); big && *big != btf.big_endian())
    return ext_problem("its byte order differs from .BTF's");
  btf_ext::layout layout;
  if (auto p = btf_ext::read_layout(raw, layout, [&](std::uint32_t off) { return btf.string_at(off); })) return p;
  ext_checker checker(raw, layout, btf, sections);
  for (const btf_ext::record_group &group : layout.groups)
    if (auto p = checker.check_group(group)) return p;
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
