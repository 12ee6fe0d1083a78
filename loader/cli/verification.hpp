// Loading one program of an object file to see what the verifier says.
//
// `verify` and `stats` load each program on its own (as veristat does), so
// one rejected program does not hide the verdict on the others, and so the
// statistics the kernel prints belong to exactly one program. Nothing stays
// loaded: the object is closed before the result is returned.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/verifier_log.hpp"

namespace bpfkit::cli {

struct object_closer {
  void operator()(bpf_object *obj) const { bpf_object__close(obj); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

// Opens an object file with libbpf (nothing loaded yet); throws cli_error
// (exit 3) naming the file.
object_ptr open_object_file(const std::string &path);

// Makes `program` the only program of `obj` that loads; throws cli_error
// (exit 3) when there is no such program.
bpf_program *load_only(bpf_object *obj, const std::string &path, const std::string &program);

struct verification {
  std::string program;
  std::string section;            // e.g. "xdp", "tracepoint/syscalls/sys_enter_openat"
  int error = 0;                  // 0: accepted; else the negative errno of the load
  std::string log;                // the verifier's log (a full trace when rejected)
  std::optional<verifier_stats> stats;
  std::uint32_t verified_insns = 0;  // from the kernel's program info (accepted only)
  std::uint64_t duration_ns = 0;     // wall time of the load, for when the log has none
};

// Checks that `path` is a readable BPF ELF object; throws cli_error (exit 3)
// naming the file otherwise.
void require_bpf_object_file(const std::string &path);

// The names of the programs in the object, in ELF order.
std::vector<std::string> program_names(const std::string &path);

// Loads only `program` of the object at `path`. `full_log` asks for the
// verifier's instruction trace even on success; a rejection is loaded again
// with the trace unless `trace_rejection` is false (stats only wants the
// statistics of the one load). Throws cli_error when the object cannot be
// opened or the process lacks the privilege to load BPF.
verification verify_program(const std::string &path, const std::string &program, bool full_log,
                            bool trace_rejection = true);

// Throws cli_error (exit 3) listing the available programs when `wanted`
// names one that the object does not have.
void require_programs(const std::vector<std::string> &available,
                      const std::vector<std::string> &wanted);

}  // namespace bpfkit::cli
