// Object files on the command line: checked, opened and loaded through the
// runtime library (the CLI opens and loads nothing itself), with its load
// reports turned into the CLI's messages and exit codes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bpfkit/load.hpp"
#include "bpfkit/object.hpp"
#include "cli.hpp"

namespace bpfkit::cli {

// Checks that `path` is a readable BPF ELF object; throws cli_error (exit 3)
// naming the file otherwise.
void require_bpf_object_file(const std::string &path);

// Checks the file, then opens it (nothing is loaded yet). Throws cli_error
// (exit 3) naming the file when libbpf cannot open it.
bpfkit::object open_object(const std::string &path);

// The names of the object's programs, in ELF order.
std::vector<std::string> program_names(const bpfkit::object &object);

// Throws cli_error (exit 3) listing the available programs when `wanted`
// names one that the object does not have.
void require_programs(const std::vector<std::string> &available,
                      const std::vector<std::string> &wanted);

// Map sizes set between open and load: --max-entries MAP=N and
// --value-size MAP=BYTES (the value size of a map whose BTF leaves it open,
// such as a stack-trace map declared with only a key type).
struct map_sizes {
  std::vector<std::pair<std::string, std::uint32_t>> max_entries;
  std::vector<std::pair<std::string, std::uint32_t>> value_size;
};

// Reads --max-entries and --value-size from `args` (exit 2 when malformed).
map_sizes map_size_options(arguments &args);

// Sets `sizes` on the opened `object`: exit 3 naming the maps there are for
// an unknown map, and for a size the map cannot take.
void apply_map_sizes(const bpfkit::object &object, const map_sizes &sizes);

// Opens `path`, applies `sizes` and loads every program, or only
// `only_program`. Throws cli_error: exit 3 for a bad file, unknown program or
// map, 4 without the privilege to load BPF, 1 when a program fails (the
// message is the runtime's verdict; `bpfkit verify` shows the whole of it).
bpfkit::object load_object(const std::string &path, const std::string &only_program = {},
                           const map_sizes &sizes = {});

// The exit status for a report with failures: 4 when every failure is a
// missing privilege, else 1.
exit_code exit_code_of(const load_report &report);

// The message for a process that may not load BPF.
extern const char *const no_privilege_message;
// The hint for an object that object_check finds malformed.
extern const char *const malformed_object_hint;

// Rethrows a runtime-library error from attaching or running `what` as a
// cli_error when it has a clearer explanation (privileges); else as is.
[[noreturn]] void rethrow_bpf_error(const std::string &what);

}  // namespace bpfkit::cli
