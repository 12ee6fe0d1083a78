#include "declarative_test.hpp"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/packet.hpp"
#include "bpfkit/verifier_log.hpp"
#include "kernel_access.hpp"
#include "map_text.hpp"

namespace bpfkit::testing {
namespace {

std::vector<std::uint8_t> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Return codes by the program type's conventions, for messages.
std::string retval_name(bpf_prog_type type, std::int64_t value) {
  static const char *xdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
  static const char *tc[] = {"TC_ACT_OK",     "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",  "TC_ACT_PIPE",
                             "TC_ACT_STOLEN", "TC_ACT_QUEUED",     "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};
  std::string number = std::to_string(value);
  if (type == BPF_PROG_TYPE_XDP && value >= 0 && value <= 4) return std::string(xdp[value]) + " (" + number + ")";
  if ((type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) && value >= 0 && value <= 7)
    return std::string(tc[value]) + " (" + number + ")";
  if ((type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) && value == -1)
    return "TC_ACT_UNSPEC (-1)";
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

// Loads only the program under test, so a broken sibling in the same object
// (a variant meant to be rejected) does not fail this test.
void load_alone(object &obj, const program &tested) {
  for (program p : obj.programs()) p.set_autoload(p.name() == tested.name());
  obj.load();
}

void check_load_failure(const test_spec &spec, const error &e, test_report &report) {
  const std::string log = e.verifier_log().empty() ? e.what() : e.verifier_log();
  bool all_matched = true;
  for (const std::string &pattern : spec.expect_load_failure) {
    if (std::regex_search(log, std::regex(pattern))) continue;
    all_matched = false;
    report.failures.push_back("the load failed, but the verifier log does not match /" + pattern + "/");
  }
  if (all_matched) {
    report.notes.push_back("the load failed as expected");
    if (auto failure = find_verifier_failure(log)) report.notes.push_back("verifier: " + failure->message);
  } else {
    report.failures.push_back("verifier log, last lines:\n" + verifier_log_tail(log, 20));
  }
}

void run_and_compare(const test_spec &spec, object &obj, const program &tested, test_report &report) {
  for (const std::string &assignment : spec.set_map) set_map(obj.get(), assignment);
  std::vector<std::uint8_t> data_in, ctx_in;
  if (spec.data_in) data_in = read_bytes(*spec.data_in);
  if (spec.packet) data_in = build_packet(*spec.packet);
  if (spec.ctx_in) ctx_in = read_bytes(*spec.ctx_in);

  test_run_opts opts;
  opts.data_in = data_in;
  opts.ctx_in = ctx_in;
  opts.repeat = spec.repeat;
  test_run_result result = tested.test_run(opts);
  const bpf_prog_type type = bpf_program__type(tested.get());
  const auto retval = static_cast<std::int64_t>(static_cast<std::int32_t>(result.retval));
  report.notes.push_back("retval " + retval_name(type, retval) + ", " + std::to_string(result.duration_ns) +
                         " ns per run");

  if (spec.expect_retval && spec.expect_retval->value != retval &&
      spec.expect_retval->value != static_cast<std::int64_t>(result.retval))
    report.failures.push_back("retval: expected " + spelled_retval(*spec.expect_retval) + ", found " +
                              retval_name(type, retval));
  if (spec.expect_data_out) {
    std::vector<std::uint8_t> expected = read_bytes(*spec.expect_data_out);
    if (expected != result.data_out) report.failures.push_back(first_difference(expected, result.data_out));
  }
  for (const std::string &expectation : spec.expect_map)
    if (auto failure = check_map(obj.get(), expectation)) report.failures.push_back(*failure);
}

void run(const test_spec &spec, test_report &report) {
  object obj = object::open_file(spec.object);
  program tested = obj.program_by_name(spec.program);
  for (const std::string &assignment : spec.set_global) set_global(obj.get(), assignment);

  try {
    load_alone(obj, tested);
  } catch (const error &e) {
    if (e.code() == std::errc::operation_not_permitted && e.verifier_log().empty()) throw;
    if (!spec.expect_load_failure.empty()) return check_load_failure(spec, e, report);
    report.failures.push_back(e.what());
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

test_report run_declarative_test(const test_spec &spec) {
  test_report report;
  if (!can_load_bpf()) {
    report.outcome = verdict::skipped;
    report.notes.push_back(missing_privilege_reason());
    return report;
  }
  try {
    run(spec, report);
  } catch (const error &e) {
    if (e.code() == std::errc::operation_not_permitted) {
      report.outcome = verdict::skipped;
      report.notes.push_back(std::string(e.what()) + ": " + missing_privilege_reason());
      return report;
    }
    report.failures.push_back(e.what());
  } catch (const btf_text_error &e) {
    report.failures.push_back(std::string("in the test's values: ") + e.what());
  } catch (const std::exception &e) {
    report.failures.push_back(e.what());
  }
  report.outcome = report.failures.empty() ? verdict::passed : verdict::failed;
  return report;
}

}  // namespace bpfkit::testing
