// Coverage of BPF programs as the kernel runs them: the object file is
// rewritten before libbpf opens it, so that every basic block and every
// taken branch adds one to a counter in a global array, which libbpf turns
// into an ordinary array map. After the runs, the counters are read from
// that map and turned into source line, branch and function counts through
// the original object's .BTF.ext line info.
//
//   auto inst = bpfkit::coverage::instrument(elf_bytes, "prog.bpf.o");
//   bpf_object__open_mem(inst.elf.data(), inst.elf.size(), ...);   // instead of elf_bytes
//   ... load, run ...
//   map = bpf_object__find_map_by_name(obj, bpfkit::coverage::counter_section);
//   bpf_map_lookup_elem(bpf_map__fd(map), &zero, value);   // inst.sources.counters() u64s
//   bpfkit::coverage::coverage_data counts = inst.sources.apply(value);
//
// The library does no system calls: reading the map is the loader's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/coverage/coverage_data.hpp"

namespace bpfkit::coverage {

// An object that cannot be instrumented or a tracefile that cannot be read;
// the message names the file.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The section holding the counters (u64 each), which is also the name of
// the map libbpf creates for it, and the variable in it. A .data.* section
// (zeros in the file) rather than .bss.*: libbpf turns custom .data.*
// sections into maps since 0.6, custom .bss.* ones only since 1.1.
inline constexpr const char *counter_section = ".data.bpfkit_cov";
inline constexpr const char *counter_variable = "bpfkit_coverage_counters";

// Which source lines, branches and functions each counter stands for.
class source_map {
 public:
  // Number of u64 counters the instrumented object has.
  std::size_t counters() const noexcept { return counters_; }
  // Line, branch and function counts from the counters' values. Throws
  // coverage::error when `counters` does not have counters() values.
  // With `functions`, only what those functions' code counts (e.g. one
  // program's: program_cost::functions).
  coverage_data apply(std::span<const std::uint64_t> counters,
                      std::span<const std::string> functions = {}) const;
  // The same from the counter map's value as read from the kernel.
  coverage_data apply_bytes(std::span<const std::byte> map_value) const;
  // Every measured line, branch and function with a count of 0: what
  // `lcov --initial` gives, for objects no test loaded.
  coverage_data zero(std::span<const std::string> functions = {}) const;

 private:
  friend class source_map_builder;
  struct line_ref {
    std::uint32_t file = 0;  // index into files_
    std::uint32_t line = 0;
  };
  // A count as counters add up to it: a block with one way in has no counter
  // of its own (e.g. the code after a branch not taken: its block's count
  // minus the branch's).
  struct term {
    std::uint32_t counter = 0;
    bool subtract = false;
  };
  using formula = std::vector<term>;
  static std::uint64_t evaluate(const formula &f, std::span<const std::uint64_t> counters);
  struct block {
    std::uint32_t owner = 0;  // index into owners_: the function whose code it is
    formula count;
    std::vector<line_ref> lines;  // the lines its instructions belong to, each once
  };
  struct branch {
    std::uint32_t owner = 0;
    line_ref where;
    formula ran;                     // how often the jump ran
    std::uint32_t taken_counter = 0;  // how often it jumped
  };
  struct function {
    std::uint32_t owner = 0;
    std::string name;
    line_ref where;
    std::uint32_t entry_counter = 0;
  };
  std::vector<std::string> files_;
  std::vector<std::string> owners_;  // instrumented functions
  std::vector<block> blocks_;
  std::vector<branch> branches_;
  std::vector<function> functions_;
  std::size_t counters_ = 0;
};

// What instrumenting costs one program (its entry function and every
// function it can call, as libbpf loads it).
struct program_cost {
  std::string program;
  std::string section;
  std::uint32_t plain_insns = 0;
  std::uint32_t instrumented_insns = 0;
  std::vector<std::string> functions;  // the program's own first, then what it calls
};

// A function left as it was, and why: its lines are not measured.
struct plain_function {
  std::string function;
  std::string reason;
};

struct instrumented_object {
  std::vector<std::byte> elf;  // open this instead of the original
  source_map sources;
  std::vector<program_cost> costs;        // one per program (entry function), by name
  std::vector<plain_function> left_plain;  // functions without counters
};

struct instrument_options {
  // Functions (programs or subprograms, by symbol name) to leave without
  // counters, e.g. a program the verifier rejected once instrumented.
  std::vector<std::string> leave_plain;
};

// Rewrites the BPF object `elf` (named `name` in messages). Throws
// coverage::error when the object as a whole cannot be instrumented: not a
// BPF ELF object, no BTF line info (compile with -g), already instrumented.
// Functions that cannot be instrumented are left plain and listed.
instrumented_object instrument(std::span<const std::byte> elf, const std::string &name,
                               const instrument_options &options = {});

}  // namespace bpfkit::coverage
