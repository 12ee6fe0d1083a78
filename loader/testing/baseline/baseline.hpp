// The pure part of bpf_verifier_baseline(): the baseline file, the spec
// CMake writes, the tolerance, and the comparison of verified instruction
// counts with their messages. Nothing here touches the kernel.
//
// The baseline file is CSV with a header, one row per program, sorted by
// object then program (bytewise), '\n' line ends, no trailing blanks:
//
//   object,program,verified_insns
//   counter,count_packets,24
//   counter,record_flow,57
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bpfkit::baseline {

inline constexpr const char *csv_header = "object,program,verified_insns";

// (object, program): the key of a row. `object` is the bpf_add_object name.
using program_key = std::pair<std::string, std::string>;
using counts = std::map<program_key, std::uint64_t>;  // sorted as the file is

std::string display(const program_key &key);  // "object/program"
// `text` with `prefix` before each line, without a trailing newline.
std::string indent_lines(const std::string &text, const std::string &prefix);

// A file that cannot be used; what() names the file and the line.
struct file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses the text of a baseline file (`path` only names it in errors).
counts parse_baseline(const std::string &text, const std::string &path);
// The file's text for these counts: deterministic, sorted.
std::string format_baseline(const counts &rows);

// A percentage as the user wrote it ("5", "2.5"), kept exact: value =
// scaled / 10^decimals.
struct tolerance {
  std::string spelled;
  std::uint64_t scaled = 0;
  unsigned decimals = 0;
};
// Throws std::invalid_argument unless `text` is digits with an optional
// fraction of up to three digits ("0", "5", "12.5").
tolerance parse_tolerance(const std::string &text);

// What one object gave: every program's count, or why the kernel refused it.
struct measurement {
  program_key key;
  std::optional<std::uint64_t> insns;  // set when the verifier accepted it
  std::string rejection;               // the verifier's reason otherwise
};

enum class verdict { grew_past, grew_within, shrunk, unchanged, added, removed, rejected };

struct finding {
  program_key key;
  verdict kind;
  std::string text;  // one line (a rejection adds indented lines)
};

struct comparison {
  std::vector<finding> findings;  // sorted by key
  std::map<verdict, std::size_t> tally;
  bool failed() const;
  // Whether running <test>_update would make the test pass (everything that
  // failed is a count; a rejection needs a fix in the code).
  bool update_fixes() const;
  std::size_t count(verdict v) const;
};

// Compares the measured counts with the baseline. New and removed programs
// and rejected programs fail, as do counts grown past the tolerance.
comparison compare(const counts &baseline, const std::vector<measurement> &now,
                   const tolerance &tol);

// "+12.5%", "-3.0%", "+<0.1%": the change from old to new (old > 0).
std::string percent_change(std::uint64_t old_insns, std::uint64_t new_insns);

// "1 grew past the tolerance, 2 unchanged": the non-zero tallies, in the
// order of `order`.
std::string summary(const comparison &c, const std::vector<verdict> &order);

// The spec of one baseline test, as bpf_verifier_baseline() writes it:
// `key=value` lines; object=<name>=<path> repeats; vm_results is optional.
struct spec {
  std::string test;
  std::string file;  // may hold {kernel}: one file per kernel series (per_kernel.hpp)
  tolerance tol;
  std::string update_command;  // e.g. cmake --build <dir> --target <test>_update
  std::vector<std::pair<std::string, std::string>> objects;  // (name, .bpf.o path)
  std::string vm_results;  // where the kernel matrix of this build tree keeps its results
};
// Throws file_error naming the spec file and line on anything unexpected.
spec parse_spec(const std::string &text, const std::string &path);

}  // namespace bpfkit::baseline
