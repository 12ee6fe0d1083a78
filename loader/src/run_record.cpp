// bpfkit::run_record: what this process's loads did during a test, and the
// coverage of instrumented objects (see <bpfkit/run_record.hpp>).
#include "bpfkit/run_record.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpfkit/content_hash.hpp"
#include "bpfkit/coverage/instrument.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/printk_capture.hpp"
#include "libbpf_messages.hpp"
#include "run_record_hooks.hpp"
#include "state.hpp"

namespace bpfkit::detail {

namespace cov = bpfkit::coverage;

struct coverage_state {
  std::string key;  // the object's name and a hash of its bytes
  object_source original;
  std::optional<cov::instrumented_object> image;  // empty: the object stays plain
  std::string reason;                             // why it stays plain
  std::map<std::string, std::string> plain_programs;  // asked plain, and why
  int counter_fd = -1;             // the counter map, once loaded
  std::vector<std::uint64_t> last;  // counter values already counted
  std::vector<const ::bpf_program*> measured;  // entries of registry::plain_insns
};

namespace {

// Programs to leave plain in an object, learnt from failed loads.
struct plain_plan {
  std::map<std::string, std::string> programs;  // name -> why
  bool whole = false;
  std::string whole_reason;
};

struct registry {
  std::mutex mutex;
  bool coverage = false;
  std::map<std::string, plain_plan> plans;  // by coverage_state::key
  std::set<std::string> reload;             // objects (names) to open and load again
  std::vector<coverage_state*> live;        // loaded instrumented objects
  cov::coverage_data closed_counts;         // of objects closed since begin()
  bool coverage_seen = false;
  std::vector<run_record::program_entry> programs;
  std::unordered_map<const ::bpf_program*, std::uint32_t> plain_insns;
  std::function<void()> printk_listener;
};

// Never destroyed: objects in static storage may close after main().
registry& the_registry() {
  static registry* r = new registry;
  return *r;
}

std::string content_key(const std::string& name, std::span<const std::byte> bytes) {
  return name + ":" +
         content_hash_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Adds what the counters counted since the last read to `into`. Caller
// holds the registry's lock.
void read_counters(coverage_state& c, cov::coverage_data& into) {
  if (c.counter_fd < 0 || !c.image) return;
  const std::size_t n = c.image->sources.counters();
  std::vector<std::uint64_t> now(n);
  const std::uint32_t zero = 0;
  if (n == 0 || bpf_map_lookup_elem(c.counter_fd, &zero, now.data()) != 0) return;
  std::vector<std::uint64_t> delta(n);
  for (std::size_t i = 0; i < n; ++i) delta[i] = now[i] - c.last[i];
  c.last = std::move(now);
  into.merge(c.image->sources.apply(delta));
}

bool left_plain_by_engine(const coverage_state& c, const std::string& function, std::string* why = nullptr) {
  for (const cov::plain_function& p : c.image->left_plain)
    if (p.function == function) {
      if (why) *why = p.reason;
      return true;
    }
  return false;
}

bool calls_printk(::bpf_object* obj) {
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    if (bpf_program__fd(prog) < 0) continue;
    const ::bpf_insn* insns = bpf_program__insns(prog);  // after load: with its subprograms
    if (insns && bpfkit::calls_printk({insns, bpf_program__insn_cnt(prog)})) return true;
  }
  return false;
}

// The verifier's figures for the plain programs: a plain copy of the object,
// set up as the instrumented one was, loaded with the same programs.
std::map<std::string, std::uint32_t> measure_plain(const object_state& s, const coverage_state& c) {
  std::map<std::string, std::uint32_t> counts;
  try {
    libbpf_messages quiet(false);
    object_ptr copy = open_object(c.original);
    copy_settings(s.obj.get(), copy.get());
    ::bpf_program* prog;
    bpf_object__for_each_program(prog, copy.get()) {
      const ::bpf_program* loaded = bpf_object__find_program_by_name(s.obj.get(), bpf_program__name(prog));
      bpf_program__set_autoload(prog, loaded && bpf_program__fd(loaded) >= 0);
    }
    if (bpf_object__load(copy.get()) != 0) return counts;
    bpf_object__for_each_program(prog, copy.get())
      if (bpf_program__fd(prog) >= 0) counts[bpf_program__name(prog)] = verified_insns_of(bpf_program__fd(prog));
  } catch (const std::exception&) {
    // No plain figures: the instrumented ones are reported instead.
  }
  return counts;
}

}  // namespace

namespace recording {

void destroy_coverage_state(coverage_state* c) noexcept {
  registry& r = the_registry();
  {
    std::lock_guard lock(r.mutex);
    try {
      read_counters(*c, r.closed_counts);
    } catch (const std::exception&) {
      // The counts of a test that is ending anyway; nothing to report them to.
    }
    r.live.erase(std::remove(r.live.begin(), r.live.end(), c), r.live.end());
    for (const ::bpf_program* prog : c->measured) r.plain_insns.erase(prog);
  }
  delete c;
}

void prepare_coverage(object_state& s) {
  registry& r = the_registry();
  plain_plan plan;
  {
    std::lock_guard lock(r.mutex);
    if (!r.coverage) return;
  }
  std::unique_ptr<coverage_state, coverage_state_deleter> c(new coverage_state);
  c->original = s.source;
  // The checked bytes, read from the file once (object_source.hpp).
  std::span<const std::byte> bytes = s.source.elf;
  const std::string display = s.source.path.empty() ? s.source.name : s.source.path;
  c->key = content_key(s.name, bytes);
  {
    std::lock_guard lock(r.mutex);
    r.coverage_seen = true;
    plan = r.plans[c->key];
  }
  if (plan.whole) {
    c->reason = plan.whole_reason;
  } else {
    cov::instrument_options options;
    for (const auto& [program, why] : plan.programs) options.leave_plain.push_back(program);
    c->plain_programs = plan.programs;
    try {
      c->image = cov::instrument(bytes, display, options);
      if (c->image->sources.counters() == 0) {
        // Every function left plain: nothing to count (and an empty
        // counter section, which libbpf refuses).
        c->image.reset();
        c->reason = plan.programs.empty() ? "no function of the object can be counted"
                                          : plan.programs.begin()->second;
      } else {
        s.source.path.clear();
        s.source.elf = c->image->elf;
        s.source.name = s.name;
      }
    } catch (const std::exception& e) {
      c->reason = std::string("the object cannot be instrumented: ") + e.what();
    }
  }
  s.coverage = std::move(c);
}

void record_load(object_state& s, load_report& report) {
  registry& r = the_registry();
  coverage_state* c = s.coverage.get();
  if (!s.loaded) {
    if (!c || !c->image) return;
    std::lock_guard lock(r.mutex);
    plain_plan& plan = r.plans[c->key];
    bool marked = false;
    if (report.object_failure) {
      plan.whole = true;
      plan.whole_reason = "the object failed to load instrumented (" + report.object_failure->verdict() +
                          "), so it runs plain";
      marked = true;
    } else {
      for (const program_report& p : report.programs) {
        if (!p.failed() || c->plain_programs.contains(p.name) || left_plain_by_engine(*c, p.name)) continue;
        plan.programs[p.name] = "instrumented, it was " + p.verdict() + "; it runs plain";
        marked = true;
      }
    }
    if (marked) r.reload.insert(s.name);
    return;
  }

  std::map<std::string, std::uint32_t> plain;
  if (c && c->image) plain = measure_plain(s, *c);
  bool notify = false;
  std::function<void()> listener;
  {
    std::lock_guard lock(r.mutex);
    for (program_report& p : report.programs) {
      if (p.status != load_status::accepted) continue;
      run_record::program_entry e;
      e.object = s.name;
      e.program = p.name;
      e.verified_insns = p.verified_insns;
      if (c && c->image) {
        e.counted_verified_insns = p.verified_insns;
        if (auto found = plain.find(p.name); found != plain.end()) e.verified_insns = found->second;
        p.verified_insns = e.verified_insns;
        const ::bpf_program* prog = bpf_object__find_program_by_name(s.obj.get(), p.name.c_str());
        r.plain_insns[prog] = e.verified_insns;
        c->measured.push_back(prog);
        std::string why;
        if (auto asked = c->plain_programs.find(p.name); asked != c->plain_programs.end())
          e.reason = asked->second;
        else if (left_plain_by_engine(*c, p.name, &why))
          e.reason = "left plain: " + why;
        e.counted = e.reason.empty();
      } else if (c) {
        auto asked = c->plain_programs.find(p.name);
        e.reason = asked != c->plain_programs.end() ? asked->second : c->reason;
      }
      r.programs.push_back(std::move(e));
    }
    if (c && c->image) {
      if (::bpf_map* map = bpf_object__find_map_by_name(s.obj.get(), cov::counter_section)) {
        c->counter_fd = bpf_map__fd(map);
        c->last.assign(c->image->sources.counters(), 0);
        r.live.push_back(c);
      }
    }
    if (r.printk_listener && calls_printk(s.obj.get())) {
      notify = true;
      listener = r.printk_listener;
    }
  }
  if (notify) listener();
}

bool is_coverage_map(const object_state& s, const ::bpf_map* map) {
  // libbpf cuts the map's own name to 15 characters; its section name stays.
  return s.coverage && s.coverage->image && bpf_object__find_map_by_name(s.obj.get(), cov::counter_section) == map;
}

std::optional<std::uint32_t> plain_verified_insns(const ::bpf_program* prog) {
  registry& r = the_registry();
  std::lock_guard lock(r.mutex);
  auto found = r.plain_insns.find(prog);
  if (found == r.plain_insns.end()) return std::nullopt;
  return found->second;
}

}  // namespace recording

namespace {

// Present only in programs that use the run record (see run_record_hooks.hpp).
[[maybe_unused]] const bool hooks_installed = [] {
  run_record_hooks = {recording::prepare_coverage, recording::record_load, recording::is_coverage_map,
                      recording::plain_verified_insns, recording::destroy_coverage_state};
  return true;
}();

}  // namespace

}  // namespace bpfkit::detail

namespace bpfkit::run_record {

using detail::the_registry;

void enable_coverage() {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  r.coverage = true;
}

bool coverage_enabled() noexcept {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  return r.coverage;
}

void begin() {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  r.programs.clear();
  r.closed_counts = {};
  bpfkit::coverage::coverage_data before;  // counted by an earlier test
  for (detail::coverage_state* c : r.live) detail::read_counters(*c, before);
  r.coverage_seen = !r.live.empty();
}

test_data end() {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  test_data data;
  data.programs = std::exchange(r.programs, {});
  data.counts = std::exchange(r.closed_counts, {});
  for (detail::coverage_state* c : r.live) detail::read_counters(*c, data.counts);
  data.coverage_on = r.coverage_seen;
  r.coverage_seen = !r.live.empty();
  return data;
}

bool load_again_plain(const load_report& failed) {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  return r.reload.erase(failed.object) > 0;
}

void on_printk_programs(std::function<void()> listener) {
  auto& r = the_registry();
  std::lock_guard lock(r.mutex);
  r.printk_listener = std::move(listener);
}

}  // namespace bpfkit::run_record
