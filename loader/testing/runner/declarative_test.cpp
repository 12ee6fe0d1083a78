#include "declarative_test.hpp"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/packet.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/return_codes.hpp"
#include "bpfkit/run_record.hpp"
#include "bpfkit/verifier_log.hpp"
#include "bounded_regex.hpp"
#include "map_text.hpp"

namespace bpfkit::testing {
namespace {

std::vector<std::uint8_t> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What a program returned, with its name where its type has names for it.
std::string retval_text(program_type type, std::int64_t value) {
  std::string number = std::to_string(value);
  if (auto name = return_code_name(type, value)) return *name + " (" + number + ")";
  return number;
}

std::string spelled_retval(const expected_retval &r) {
  return r.spelled == std::to_string(r.value) ? r.spelled : r.spelled + " (" + std::to_string(r.value) + ")";
}

std::string first_difference(const std::vector<std::uint8_t> &expected, const std::vector<std::uint8_t> &found) {
  std::size_t i = 0;
  while (i < expected.size() && i < found.size() && expected[i] == found[i]) ++i;
  std::ostringstream out;
  out << "data_out: expected " << expected.size() << " bytes, found " << found.size() << " bytes";
  if (i < expected.size() && i < found.size())
    out << "; first difference at offset " << i << ": expected 0x" << std::hex << int(expected[i])
        << ", found 0x" << int(found[i]);
  return out.str();
}

bool needs_run(const test_spec &spec) {
  return spec.data_in || spec.packet || spec.ctx_in || spec.expect_retval || spec.expect_data_out ||
         !spec.expect_map.empty() || spec.repeat != 1;
}

// What EXPECT_LOAD_FAILURE's regexes are matched against: the verifier's
// log and the verdict (so a failure before the verifier, which has no log,
// is matched by libbpf's reason).
std::string failure_text(const program_report &p) {
  std::string text = p.log;
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text + p.summary() + "\n" + p.libbpf_messages;
}

void check_load_failure(const test_spec &spec, const program_report &p, test_report &report) {
  const std::string text = failure_text(p);
  bool all_matched = true;
  for (const std::string &pattern : spec.expect_load_failure) {
    if (failure_regex_matches(text, pattern)) continue;
    all_matched = false;
    report.failures.push_back("the load failed, but the verifier log does not match /" + pattern + "/");
  }
  if (all_matched) {
    report.notes.push_back("the load failed as expected: " + p.verdict());
  } else {
    report.failures.push_back(p.summary());
    if (!p.log.empty())
      report.failures.push_back("verifier log, last lines:\n" + verifier_log_tail(p.log, 20));
  }
}

void run_and_compare(const test_spec &spec, object &obj, const program &tested, test_report &report) {
  for (const std::string &assignment : spec.set_map) set_map(obj, assignment);
  std::vector<std::uint8_t> data_in, ctx_in;
  if (spec.data_in) data_in = read_bytes(*spec.data_in);
  if (spec.packet) data_in = build_packet(*spec.packet);
  if (spec.ctx_in) ctx_in = read_bytes(*spec.ctx_in);

  test_run_opts opts;
  opts.data_in = data_in;
  opts.ctx_in = ctx_in;
  opts.repeat = spec.repeat;
  test_run_result result = tested.test_run(opts);
  const program_type type = tested.type();
  const auto retval = static_cast<std::int64_t>(static_cast<std::int32_t>(result.retval));
  report.notes.push_back("retval " + retval_text(type, retval) + ", " + std::to_string(result.duration_ns) +
                         " ns per run");

  if (spec.expect_retval && spec.expect_retval->value != retval &&
      spec.expect_retval->value != static_cast<std::int64_t>(result.retval))
    report.failures.push_back("retval: expected " + spelled_retval(*spec.expect_retval) + ", found " +
                              retval_text(type, retval));
  if (spec.expect_data_out) {
    std::vector<std::uint8_t> expected = read_bytes(*spec.expect_data_out);
    if (expected != result.data_out) report.failures.push_back(first_difference(expected, result.data_out));
  }
  for (const std::string &expectation : spec.expect_map)
    if (auto failure = check_map(obj, expectation)) report.failures.push_back(*failure);
}

void run(const test_spec &spec, const object_source &source, test_report &report) {
  loaded_test_object &loaded_object = source(spec);
  const load_report &loaded = loaded_object.loaded;
  object &obj = loaded_object.obj;
  const program &tested = loaded_object.tested;
  const program_report &result =
      loaded.object_failure ? *loaded.object_failure : *loaded.find(spec.program);
  if (result.status == load_status::no_privilege) {
    report.outcome = verdict::skipped;
    report.notes.push_back(result.verdict());
    return;
  }
  if (!loaded.ok()) {
    if (!spec.expect_load_failure.empty()) return check_load_failure(spec, result, report);
    report.failures.push_back(loaded.message());
    return;
  }
  const std::uint32_t insns = tested.verified_insns();
  report.notes.push_back(std::to_string(insns) + " instructions verified");
  if (!spec.expect_load_failure.empty()) {
    report.failures.push_back("expected the load to fail matching /" + spec.expect_load_failure.front() +
                              "/, but the verifier accepted " + std::string(tested.name()) + " (" +
                              std::to_string(insns) + " instructions verified)");
    return;
  }
  if (spec.max_verified_insns && insns > *spec.max_verified_insns)
    report.failures.push_back("verified instructions: " + std::to_string(insns) + ", over the budget of " +
                              std::to_string(*spec.max_verified_insns) + " (MAX_VERIFIED_INSNS)");
  if (needs_run(spec)) run_and_compare(spec, obj, tested, report);
}

}  // namespace

bool writes_maps(const test_spec &spec) { return needs_run(spec) || !spec.set_map.empty(); }

loaded_test_object load_test_object(const test_spec &spec) {
  // Only the program under test, so a broken sibling in the same object (a
  // variant meant to be rejected) does not fail this test.
  load_options options;
  options.programs = {spec.program};
  loaded_test_object result;
  do {  // again when coverage leaves a program plain (run_record)
    result.obj = object::open_file(spec.object);
    result.tested = result.obj.program_by_name(spec.program);
    for (const std::string &assignment : spec.set_global) set_global(result.obj, assignment);
    result.loaded = result.obj.try_load(options);
  } while (!result.loaded.ok() && run_record::load_again_plain(result.loaded));
  return result;
}

test_report run_declarative_test(const test_spec &spec) {
  loaded_test_object fresh;
  return run_declarative_test(spec, [&fresh](const test_spec &s) -> loaded_test_object & {
    fresh = load_test_object(s);
    return fresh;
  });
}

test_report run_declarative_test(const test_spec &spec, const object_source &source) {
  test_report report;
  if (const std::string &reason = bpf_unavailable_reason(); !reason.empty()) {
    report.outcome = verdict::skipped;
    report.notes.push_back(reason);
    return report;
  }
  try {
    run(spec, source, report);
    if (report.outcome == verdict::skipped) return report;
  } catch (const btf_text_error &e) {
    report.failures.push_back(std::string("in the test's values: ") + e.what());
  } catch (const std::exception &e) {
    report.failures.push_back(e.what());
  }
  report.outcome = report.failures.empty() ? verdict::passed : verdict::failed;
  return report;
}

}  // namespace bpfkit::testing
