// A BPF object file as bpfkit's inspection reads it without loading it: its
// BTF, its functions (programs and the subprograms they call), their
// instructions, and the .BTF.ext records about them (source lines and CO-RE
// relocations).
//
// libbpf keeps .BTF.ext and the ELF layout to itself, so this reads the ELF
// with libelf and the .BTF.ext records from btf_ext__get_raw_data().
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "bpfkit/inspect/btf_source.hpp"

namespace bpfkit::inspect {

struct function_symbol {
  std::string name;
  std::string section;
  std::uint32_t first_insn = 0;  // in the section, in 8-byte instruction slots
  std::uint32_t insn_count = 0;
  bool program = false;  // an entry point (not in .text), which libbpf loads
};

// A .BTF.ext line info record: the source line of the instruction `insn` of
// `section` (and of those after it up to the next record).
struct line_record {
  std::string section;
  std::uint32_t insn = 0;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string text;
};

// A .BTF.ext CO-RE relocation record (struct bpf_core_relo), in file order.
struct core_record {
  std::string section;
  std::uint32_t insn = 0;  // in the section
  std::uint32_t type_id = 0;
  std::string access;      // the access string, e.g. "0:12:1"
  bpf_core_relo_kind kind = BPF_CORE_FIELD_BYTE_OFFSET;
};

class object_file {
 public:
  // Throws error(bad_input) naming `path` when it is not a BPF object with BTF.
  static object_file read(const std::string &path);

  const std::string &path() const noexcept { return path_; }
  const btf *types() const noexcept { return btf_.get(); }

  // Programs and subprograms, by section then first instruction.
  const std::vector<function_symbol> &functions() const noexcept { return functions_; }
  const function_symbol *function(const std::string &name) const;
  // The function of `section` holding instruction `insn`, or null.
  const function_symbol *function_at(const std::string &section, std::uint32_t insn) const;

  // The instructions of an executable section, as compiled.
  std::span<const bpf_insn> instructions(const std::string &section) const;

  // The function a bpf-to-bpf call (or a callback reference) at `insn` of
  // `section` reaches, or null: resolved through the section's ELF
  // relocations as libbpf does, or relative to `insn` within the section.
  const function_symbol *call_target(const std::string &section, std::uint32_t insn) const;

  const std::vector<line_record> &lines() const noexcept { return lines_; }
  // The line record in force at `insn` of `section`, or null.
  const line_record *line_at(const std::string &section, std::uint32_t insn) const;
  // The source line of the statement that uses what the instruction at
  // `insn` computes. Compilers hoist address arithmetic above the statement
  // it serves, so for a CO-RE relocated `r1 = <offset>` the line in force is
  // often an earlier statement's: this follows the value through registers
  // to the first instruction that uses it (a call, a load or store, a
  // branch) and returns that one's line; the line in force when the value
  // goes nowhere it can follow.
  const line_record *line_of_use(const std::string &section, std::uint32_t insn) const;

  const std::vector<core_record> &core_records() const noexcept { return core_records_; }

 private:
  struct call_relocation {
    std::string target_section;
    std::int64_t target_base = 0;  // symbol value, in instructions
  };

  std::string path_;
  owned_btf btf_;
  std::vector<function_symbol> functions_;
  std::map<std::string, std::vector<bpf_insn>> code_;
  // ELF relocations in executable sections, by section then instruction.
  std::map<std::string, std::map<std::uint32_t, call_relocation>> relocations_;
  std::vector<line_record> lines_;
  std::vector<core_record> core_records_;
};

}  // namespace bpfkit::inspect
