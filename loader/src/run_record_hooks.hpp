// Where the runtime's open and load paths meet bpfkit::run_record
// (<bpfkit/run_record.hpp>): instrumenting an object as it is opened,
// recording what a load did, and reading the counters back.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <optional>

namespace bpfkit {
struct load_report;
}

namespace bpfkit::detail {

struct object_state;

// The run record is linked in only with its API (run_record.cpp registers
// these hooks at start-up): a program that never calls bpfkit::run_record,
// such as a skeleton's loader, links neither the coverage engine nor the
// printk scanner, and its opens and loads skip the record.
struct coverage_state;
struct run_record_hook_table {
  void (*prepare_coverage)(object_state&) = nullptr;
  void (*record_load)(object_state&, load_report&) = nullptr;
  bool (*is_coverage_map)(const object_state&, const ::bpf_map*) = nullptr;
  std::optional<std::uint32_t> (*plain_verified_insns)(const ::bpf_program*) = nullptr;
  void (*destroy_coverage_state)(coverage_state*) noexcept = nullptr;
};
// Constant-initialised: empty before any start-up code runs.
inline constinit run_record_hook_table run_record_hooks{};

// With coverage on, replaces the object's source by an instrumented copy
// (kept in state.coverage) before libbpf opens it; the copy is what
// diagnosis reloads too. An object the engine cannot instrument (no line
// info, ...) stays plain, with the reason recorded. Call after the source
// and name are set, before open_object().
inline void prepare_coverage(object_state& state) {
  if (run_record_hooks.prepare_coverage) run_record_hooks.prepare_coverage(state);
}

// After try_load: records the programs loaded (and, for an instrumented
// object, measures the plain programs' verifier figures and puts them into
// `report`), notifies the printk listener, and on a failure marks the
// instrumented programs that failed to be loaded plain next time.
inline void record_load(object_state& state, load_report& report) {
  if (run_record_hooks.record_load) run_record_hooks.record_load(state, report);
}

// Whether `map` is the counters' map of an instrumented object: not one of
// the object's own maps (object::maps() leaves it out).
inline bool is_coverage_map(const object_state& state, const ::bpf_map* map) {
  return run_record_hooks.is_coverage_map && run_record_hooks.is_coverage_map(state, map);
}

// The plain program's verified instructions when `prog` belongs to a loaded
// instrumented object, for program::verified_insns().
inline std::optional<std::uint32_t> plain_verified_insns(const ::bpf_program* prog) {
  if (!run_record_hooks.plain_verified_insns) return std::nullopt;
  return run_record_hooks.plain_verified_insns(prog);
}

// Per instrumented object: the engine's output and the counters' state.
// Destroyed before its object closes (object_state's last member): reads the
// counters one last time. Only prepare_coverage makes one.
struct coverage_state_deleter {
  void operator()(coverage_state* state) const noexcept { run_record_hooks.destroy_coverage_state(state); }
};

}  // namespace bpfkit::detail
