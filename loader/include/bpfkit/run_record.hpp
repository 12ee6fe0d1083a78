// What the BPF objects this process loads do during one test, as bpfkit's
// test drivers (bpfkit-test, bpfkit::testing, `bpfkit run --coverage`)
// report it: the programs loaded and the instructions the verifier
// processed for each, and, with coverage on, the source lines and branches
// they ran.
//
// Coverage is off until a driver turns it on (the runtime reads no
// environment: a `bpfkit stats` run under a test's environment measures the
// programs as written). While it is on, every object opened is an
// instrumented copy (bpfkit::coverage): the object is rewritten in memory
// before libbpf opens it, so skeletons, bpfkit::object and the CLI all load
// counted programs. Verifier figures stay those of the plain programs
// (load_report, program::verified_insns()): a plain copy is loaded once to
// measure them, so budgets and baselines do not move with coverage.
//
// When the verifier rejects a program only once it is instrumented (e.g.
// close to the 1,000,000 processed instructions), the load fails and
// load_again_plain() says so: open the object again and load it again, and
// the rejected programs are plain this time (the reason is recorded).
//
//   bpfkit::run_record::enable_coverage();
//   bpfkit::run_record::begin();
//   ... open, load (load_again_plain on failure), run ...
//   bpfkit::run_record::test_data data = bpfkit::run_record::end();
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bpfkit/coverage/coverage_data.hpp"

namespace bpfkit {

struct load_report;

namespace run_record {

// One program loaded during the test.
struct program_entry {
  std::string object;   // the object's name
  std::string program;
  std::uint32_t verified_insns = 0;  // the plain program's
  bool counted = false;              // coverage was taken
  std::string reason;                // why not, when coverage was on but not taken
  std::uint32_t counted_verified_insns = 0;  // the instrumented program's
};

struct test_data {
  std::vector<program_entry> programs;  // in load order
  // Lines, branches and functions the counted programs ran since begin().
  bpfkit::coverage::coverage_data counts;
  bool coverage_on = false;  // at least one object was opened instrumented
};

// Objects opened from now on (by this process) are instrumented copies.
void enable_coverage();
bool coverage_enabled() noexcept;

// Starts a test: forgets the programs loaded so far; counts from here on.
void begin();
// Ends it: what was loaded since begin(), and what the counted programs ran
// (the counters of objects still open are read now; those of objects closed
// since were read when they closed).
test_data end();

// After a failed load with coverage on: true when programs that failed were
// instrumented, so that they are now to be loaded plain. Open the object
// again (a skeleton: open it again and redo what was set before load) and
// load it again. False without coverage, or when the failure is the plain
// programs' own.
bool load_again_plain(const load_report& failed);

// Called after every successful load of an object one of whose programs
// calls bpf_printk (bpf_trace_printk/bpf_trace_vprintk): where a driver
// starts capturing their output, before the programs run. One listener per
// process; an empty function removes it.
void on_printk_programs(std::function<void()> listener);

}  // namespace run_record
}  // namespace bpfkit
