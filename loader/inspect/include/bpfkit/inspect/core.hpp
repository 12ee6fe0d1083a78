// CO-RE relocations: what each one asks for, and how libbpf resolves it
// against a kernel's BTF, computed without loading anything.
//
// The resolution follows libbpf's relo_core.c: candidates are the target
// types whose kind matches and whose essential name (the name without a
// "___flavor" suffix) is the local type's; every high-level accessor of the
// local spec (named fields, array indices) must match in a candidate, with
// compatible field types and array bounds; all matching candidates must agree;
// a relocation with no match yields 0 for the *_EXISTS/TYPE_MATCHES kinds and
// a poisoned instruction (call 0xbad2310) for the others, which the verifier
// accepts only where it can prove the instruction dead. Candidates come from
// the target's vmlinux BTF, and only when it has none from module BTF (not
// searched when the target is a BTF file, as libbpf with btf_custom_path).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/inspect/btf_source.hpp"
#include "bpfkit/inspect/object_file.hpp"

namespace bpfkit::inspect {

// The kernel relocations are resolved against.
struct core_target {
  const btf *vmlinux = nullptr;
  std::string origin;  // "/sys/kernel/btf/vmlinux", "debian-6.1.btf"
  // The running kernel's module BTF, read on first need; unset for a BTF file.
  std::function<const std::vector<module_btf> &()> modules;
};

// libbpf's name of a relocation kind ("byte_off", "field_exists"...), and
// a phrase for people ("field offset", "field exists"...).
const char *core_kind_name(bpf_core_relo_kind kind);
const char *core_kind_phrase(bpf_core_relo_kind kind);

// The access a relocation encodes, in C: "task_struct.real_parent",
// "task_struct.comm[2]", "struct task_struct", "enum bpf_func_id::BPF_FUNC_loop".
// Malformed records are described by their raw access string.
std::string describe_access(const btf *local, const core_record &record);

// The fields a field relocation reads: for each named field on its path,
// the named struct or union holding it and the field's name (written through
// anonymous members, as "rcu_users" of struct task_struct). For `bpfkit btf
// --compare`; empty for other kinds and malformed records.
struct accessed_field {
  std::uint32_t holder = 0;
  std::string field;
};
std::vector<accessed_field> accessed_fields(const btf *local, const core_record &record);

// libbpf's decision for one relocation.
struct core_decision {
  enum class outcome {
    value,   // the instruction gets new_value
    poison,  // no candidate matches: the instruction is poisoned
    error,   // libbpf refuses to load the object
  };
  outcome what = outcome::error;
  std::uint64_t local_value = 0;   // what the compiler put in (from the local BTF)
  std::uint64_t target_value = 0;  // what libbpf writes
  bool validate = true;            // libbpf checks the instruction holds local_value
  // Load/store size adjustment of a field offset relocation.
  std::uint32_t local_size = 0, target_size = 0;
  bool size_adjust_fails = false;
  std::string target_type;  // the matching candidate: "struct task_struct (vmlinux [id 123])"
  std::string reason;       // why it is poisoned or an error, or why an *_EXISTS is 0
};

// Resolves relocations of one object against one target. Like libbpf, the
// candidates of a local type are searched once and narrowed to those that
// matched, so resolve() calls must come in the object's record order.
class core_resolver {
 public:
  core_resolver(const btf *local, core_target target);
  ~core_resolver();
  core_resolver(const core_resolver &) = delete;
  core_resolver &operator=(const core_resolver &) = delete;

  core_decision resolve(const core_record &record);

 private:
  struct candidate;
  std::vector<candidate> &candidates(std::uint32_t local_id);

  const btf *local_;
  core_target target_;
  std::map<std::uint32_t, std::vector<candidate>> cache_;
};

// Applies a decision to the relocated instruction `insns[0]` (and insns[1]
// for a 64-bit immediate load) as libbpf's bpf_core_patch_insn() does.
// Returns an empty string, or why libbpf would refuse (the decision's
// outcome is then error). A decision whose load size cannot be adjusted
// becomes a poison.
std::string patch_instruction(bpf_insn *insns, std::size_t available, core_decision &decision);

// Whether an instruction is libbpf's poison (call 0xbad2310).
bool is_poisoned(const bpf_insn &insn);

// Every CO-RE relocation of an object with its decision and, for poisoned
// instructions, whether the verifier can reach them.
struct core_relocation {
  std::string function;  // the program or subprogram holding the instruction
  std::string section;
  std::uint32_t insn = 0;          // in the function
  std::uint32_t section_insn = 0;  // in the section
  core_record record;
  std::string access;  // describe_access()
  std::optional<line_record> line;
  core_decision decision;
  // For poisoned instructions: whether any path from a program's entry
  // reaches it once every relocation is applied (constants propagated
  // through registers, as the verifier's dead code elimination sees them).
  bool reachable = true;
};

struct core_function {
  function_symbol symbol;
  std::vector<std::string> callers;  // functions whose code calls it
  std::vector<std::string> callees;
};

struct core_analysis {
  std::string object;
  std::string target;
  std::vector<core_function> functions;  // programs first, then subprograms
  std::vector<core_relocation> relocations;  // in the object's record order
  // Records libbpf skips: in functions it does not load ("?" sections) or
  // in no function at all (eliminated weak subprograms).
  std::size_t skipped = 0;
};

core_analysis analyze_core(const object_file &object, const core_target &target);

}  // namespace bpfkit::inspect
