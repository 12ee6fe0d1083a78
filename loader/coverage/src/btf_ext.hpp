// .BTF.ext for the coverage engine (its layout is read by bpfkit::btf_ext):
// line info by section, and every record's instruction offset rewritten in
// place when instructions move.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bpfkit/btf_ext.hpp"

struct btf;

namespace bpfkit::coverage::detail {

struct line_record {
  std::uint32_t insn = 0;  // instruction index in the section
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// Line info by section name, each sorted by instruction. `strings` is the
// object's .BTF. Throws coverage::error naming `name` when the data is malformed.
std::map<std::string, std::vector<line_record>> read_line_info(const std::vector<std::uint8_t> &ext,
                                                               const btf *strings, const std::string &name);

// Replaces every record's instruction offset (bytes in its section) with
// move(kind, section, offset). The record layout is unchanged.
using offset_mover =
    std::function<std::uint32_t(btf_ext::table, const std::string &section, std::uint32_t offset)>;
void move_insn_offsets(std::vector<std::uint8_t> &ext, const btf *strings, const std::string &name,
                       const offset_mover &move);

}  // namespace bpfkit::coverage::detail
