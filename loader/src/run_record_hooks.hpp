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

// With coverage on, replaces the object's source by an instrumented copy
// (kept in state.coverage) before libbpf opens it; the copy is what
// diagnosis reloads too. An object the engine cannot instrument (no line
// info, ...) stays plain, with the reason recorded. Call after the source
// and name are set, before open_object().
void prepare_coverage(object_state& state);

// After try_load: records the programs loaded (and, for an instrumented
// object, measures the plain programs' verifier figures and puts them into
// `report`), notifies the printk listener, and on a failure marks the
// instrumented programs that failed to be loaded plain next time.
void record_load(object_state& state, load_report& report);

// Whether `map` is the counters' map of an instrumented object: not one of
// the object's own maps (object::maps() leaves it out).
bool is_coverage_map(const object_state& state, const ::bpf_map* map);

// The plain program's verified instructions when `prog` belongs to a loaded
// instrumented object, for program::verified_insns().
std::optional<std::uint32_t> plain_verified_insns(const ::bpf_program* prog);

// Per instrumented object: the engine's output and the counters' state.
// Destroyed before its object closes (object_state's last member): reads the
// counters one last time.
struct coverage_state;
struct coverage_state_deleter {
  void operator()(coverage_state* state) const noexcept;
};

}  // namespace bpfkit::detail
