#include "btf_ext.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cstring>

#include "bpfkit/coverage/instrument.hpp"

namespace bpfkit::coverage::detail {
namespace {

// The .BTF.ext header (tools/lib/bpf/libbpf_internal.h); the CO-RE fields
// exist when hdr_len covers them.
struct ext_header {
  std::uint16_t magic;
  std::uint8_t version;
  std::uint8_t flags;
  std::uint32_t hdr_len;
  std::uint32_t func_info_off, func_info_len;
  std::uint32_t line_info_off, line_info_len;
  std::uint32_t core_relo_off, core_relo_len;
};
constexpr std::size_t base_header_size = offsetof(ext_header, core_relo_off);
constexpr std::uint16_t btf_magic = 0xeB9F;

std::uint32_t load_u32(const std::uint8_t *p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Calls visit(kind, section, record) for every record of every block.
// Records are writable: the first u32 of each is its instruction offset.
template <class Visit>
void for_each_record(std::uint8_t *data, std::size_t size, const btf *strings, const std::string &name,
                     Visit visit) {
  auto malformed = [&](const std::string &what) -> void { throw error(name + ": malformed .BTF.ext: " + what); };
  if (size < base_header_size) malformed("shorter than its header");
  ext_header h{};
  std::memcpy(&h, data, std::min(size, sizeof h));
  if (h.magic != btf_magic) malformed("bad magic");
  if (h.hdr_len < base_header_size || h.hdr_len > size) malformed("bad header length");
  std::uint8_t *body = data + h.hdr_len;
  const std::size_t body_size = size - h.hdr_len;
  struct block {
    ext_record kind;
    std::uint32_t off, len, min_record;
  };
  std::vector<block> blocks{{ext_record::func_info, h.func_info_off, h.func_info_len, 8},
                            {ext_record::line_info, h.line_info_off, h.line_info_len, 16}};
  if (h.hdr_len >= sizeof h) blocks.push_back({ext_record::core_relo, h.core_relo_off, h.core_relo_len, 16});
  for (const block &b : blocks) {
    if (b.len == 0) continue;
    if (b.off > body_size || b.len > body_size - b.off || b.len < 4) malformed("a block lies outside the section");
    std::uint8_t *p = body + b.off;
    const std::uint32_t record_size = load_u32(p);
    if (record_size < b.min_record) malformed("records too small");
    std::size_t pos = 4;
    while (pos < b.len) {
      if (b.len - pos < 8) malformed("truncated section header");
      const char *section = btf__name_by_offset(strings, load_u32(p + pos));
      const std::uint32_t count = load_u32(p + pos + 4);
      pos += 8;
      if (static_cast<std::uint64_t>(count) * record_size > b.len - pos) malformed("truncated records");
      const std::string section_name = section ? section : "";
      for (std::uint32_t k = 0; k < count; ++k, pos += record_size) visit(b.kind, section_name, p + pos);
    }
  }
}

}  // namespace

std::map<std::string, std::vector<line_record>> read_line_info(const std::vector<std::uint8_t> &ext,
                                                               const btf *strings, const std::string &name) {
  std::vector<std::uint8_t> copy = ext;  // the visitor takes writable records
  std::map<std::string, std::vector<line_record>> lines;
  for_each_record(copy.data(), copy.size(), strings, name,
                  [&](ext_record kind, const std::string &section, std::uint8_t *record) {
                    if (kind != ext_record::line_info) return;
                    const std::uint32_t insn_off = load_u32(record), file_off = load_u32(record + 4),
                                        line_col = load_u32(record + 12);
                    const char *file = btf__name_by_offset(strings, file_off);
                    lines[section].push_back({insn_off / 8, file ? file : "", line_col >> 10, line_col & 0x3ff});
                  });
  for (auto &[section, records] : lines)
    std::stable_sort(records.begin(), records.end(),
                     [](const line_record &a, const line_record &b) { return a.insn < b.insn; });
  return lines;
}

void move_insn_offsets(std::vector<std::uint8_t> &ext, const btf *strings, const std::string &name,
                       const offset_mover &move) {
  for_each_record(ext.data(), ext.size(), strings, name,
                  [&](ext_record kind, const std::string &section, std::uint8_t *record) {
                    const std::uint32_t moved = move(kind, section, load_u32(record));
                    std::memcpy(record, &moved, sizeof moved);
                  });
}

}  // namespace bpfkit::coverage::detail
