#include "btf_ext.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <span>

#include "bpfkit/btf_ext.hpp"
#include "bpfkit/coverage/instrument.hpp"

namespace bpfkit::coverage::detail {
namespace {

// The structure of .BTF.ext; throws coverage::error naming `name` when it is unreadable.
btf_ext::layout read_layout(std::span<const std::byte> ext, const std::string &name) {
  btf_ext::layout layout;
  if (auto problem = btf_ext::read_layout(ext, layout)) throw error(name + ": " + problem->message());
  return layout;
}

std::string section_name(const btf *strings, std::uint32_t offset) {
  const char *text = btf__name_by_offset(strings, offset);
  return text ? text : "";
}

}  // namespace

std::map<std::string, std::vector<line_record>> read_line_info(const std::vector<std::uint8_t> &ext,
                                                               const btf *strings, const std::string &name) {
  const auto bytes = std::as_bytes(std::span(ext));
  const btf_ext::layout layout = read_layout(bytes, name);
  std::map<std::string, std::vector<line_record>> lines;
  for (const btf_ext::record_group &group : layout.groups) {
    if (group.table != btf_ext::table::line_info) continue;
    std::vector<line_record> &records = lines[section_name(strings, group.section_name_off)];
    for (std::uint32_t i = 0; i < group.count; ++i) {
      const btf_ext::line_info r = btf_ext::read_line_info(bytes, layout, group, i);
      records.push_back({r.insn_off / 8, section_name(strings, r.file_name_off), r.line(), r.column()});
    }
  }
  for (auto &[section, records] : lines)
    std::stable_sort(records.begin(), records.end(),
                     [](const line_record &a, const line_record &b) { return a.insn < b.insn; });
  return lines;
}

void move_insn_offsets(std::vector<std::uint8_t> &ext, const btf *strings, const std::string &name,
                       const offset_mover &move) {
  const auto bytes = std::as_writable_bytes(std::span(ext));
  const btf_ext::layout layout = read_layout(bytes, name);
  for (const btf_ext::record_group &group : layout.groups) {
    const std::string section = section_name(strings, group.section_name_off);
    for (std::uint32_t i = 0; i < group.count; ++i)
      btf_ext::set_insn_offset(bytes, layout, group, i,
                               move(group.table, section, btf_ext::insn_offset(bytes, layout, group, i)));
  }
}

}  // namespace bpfkit::coverage::detail
