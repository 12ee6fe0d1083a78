// Instrumented programs loaded and run in the kernel: they behave as before,
// and the counts are what the kernel ran.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "bpfkit/coverage/instrument.hpp"
#include "kernel_fixture.hpp"
#include "test_objects.hpp"

namespace cov = bpfkit::coverage;
namespace fs = std::filesystem;
using namespace coverage_test;

namespace {

constexpr std::uint32_t xdp_pass = 2, tc_act_ok = 0, tc_act_shot = 2;

// --- exact counts -----------------------------------------------------------

class paths : public kernel_param_test<test_object> {
 protected:
  // Instruments and loads the object; `runs` drives it; returns the counts.
  cov::file_coverage run(const std::function<void(bpf_object *)> &runs, bpf_object **loaded = nullptr) {
    bytes_ = read_bytes(GetParam().path);
    inst_ = cov::instrument(bytes_, GetParam().path);
    result_ = load(inst_.elf, "paths");
    EXPECT_EQ(result_.error, "");
    if (!result_.object) return {};
    runs(result_.object.get());
    if (loaded) *loaded = result_.object.get();
    data_ = inst_.sources.apply(read_counters(result_.object.get(), inst_.sources.counters()));
    return data_.files[PATHS_SOURCE];
  }
  std::uint64_t line(const cov::file_coverage &file, const char *marker) {
    const unsigned number = markers_.at(marker);
    EXPECT_TRUE(file.lines.count(number)) << "line " << number << " (" << marker << ") is not measured";
    return file.lines.count(number) ? file.lines.at(number) : ~0ull;
  }
  std::map<std::string, unsigned> markers_ = markers(PATHS_SOURCE);
  std::vector<std::byte> bytes_;
  cov::instrumented_object inst_;
  load_result result_;
  cov::coverage_data data_;
};

TEST_P(paths, count_each_line_as_often_as_the_kernel_ran_it) {
  bpf_object *obj = nullptr;
  const cov::file_coverage file = run(
      [](bpf_object *o) {
        EXPECT_EQ(test_run(o, "branch_on_length", frame(60)).retval, xdp_pass);
        EXPECT_EQ(test_run(o, "branch_on_length", frame(250), 3).retval, xdp_pass);
      },
      &obj);
  ASSERT_NE(obj, nullptr);
  EXPECT_EQ(line(file, "always"), 4u);
  EXPECT_EQ(line(file, "condition"), 4u);
  EXPECT_EQ(line(file, "long_packet"), 3u);
  EXPECT_EQ(line(file, "short_packet"), 1u);
  EXPECT_EQ(line(file, "huge_packet"), 3u);
  EXPECT_EQ(line(file, "never"), 0u) << "a program never run shows 0";
  EXPECT_EQ(file.functions.at("branch_on_length").count, 4u);
  EXPECT_EQ(file.functions.at("classify").count, 4u) << "a subprogram counts its calls";
  EXPECT_EQ(file.functions.at("never_run").count, 0u);
  // The condition's two ways: one taken once, the other three times.
  std::vector<std::uint64_t> ways;
  for (const auto &[id, taken] : file.branches)
    if (id.line == markers_.at("condition")) ways.push_back(taken.value_or(~0ull));
  std::sort(ways.begin(), ways.end());
  EXPECT_EQ(ways, (std::vector<std::uint64_t>{1, 3}));
  // The program itself agrees.
  EXPECT_EQ(global_u64(obj, "all_runs"), 4u);
  EXPECT_EQ(global_u64(obj, "huge_runs"), 3u);
}

TEST_P(paths, repeat_n_gives_n) {
  const cov::file_coverage file =
      run([](bpf_object *o) { EXPECT_EQ(test_run(o, "branch_on_length", frame(150), 7).retval, xdp_pass); });
  EXPECT_EQ(line(file, "always"), 7u);
  EXPECT_EQ(line(file, "long_packet"), 7u);
  EXPECT_EQ(line(file, "short_packet"), 0u) << "the branch no run took is not executed";
  EXPECT_EQ(line(file, "huge_packet"), 0u);
  EXPECT_EQ(line(file, "never"), 0u);
}

// Two tests, each with its own load and tracefile, merged as bpf_coverage
// merges them.
TEST_P(paths, two_tests_merge_into_one_tracefile) {
  // coverage.lcov.accepted runs this test with a directory of its own.
  const char *override = std::getenv("COVERAGE_TEST_TRACEFILE_DIR");
  const std::string directory = override ? override : TRACEFILE_DIR;
  fs::create_directories(directory);
  cov::tracefile merged;
  for (const auto &[test, size] : {std::pair{"long", 150}, std::pair{"short", 60}}) {
    run([size = size](bpf_object *o) { test_run(o, "branch_on_length", frame(size)); });
    cov::tracefile one;
    one.tests[std::string("paths.") + test] = data_;
    const std::string path = directory + "/" + GetParam().variant + "-" + test + ".info";
    cov::write_tracefile(path, one);
    merged.merge(cov::read_tracefile(path));
  }
  cov::coverage_data all;
  for (const auto &[test, data] : merged.tests) all.merge(data);
  const cov::file_coverage &file = all.files.at(PATHS_SOURCE);
  EXPECT_EQ(line(file, "always"), 2u);
  EXPECT_EQ(line(file, "long_packet"), 1u);
  EXPECT_EQ(line(file, "short_packet"), 1u);
  EXPECT_EQ(line(file, "never"), 0u);
  EXPECT_EQ(merged.tests.size(), 2u) << "each test keeps its name (lcov's TN)";
}

INSTANTIATE_TEST_SUITE_P(clang, paths, ::testing::ValuesIn(objects("paths")),
                         [](const auto &info) { return param_name(info.param.variant); });

// --- programs shaped like libbpf-bootstrap and libbpf-tools ------------------

class shapes : public kernel_param_test<test_object> {};

struct shape_results {
  std::uint32_t tc_ipv4 = 0, tc_arp = 0, socket_ipv4 = 0, socket_arp = 0, xdp = 0, tail_taken = 0, tail_failed = 0;
  std::uint64_t tail_hits = 0, tail_missed = 0;
  std::uint64_t loop_total = 0, calls = 0, events = 0, iterations = 0;
};

// Runs every program of shapes.bpf.c the same way, plain or instrumented.
shape_results drive_shapes(bpf_object *o) {
  shape_results r;
  r.xdp = test_run(o, "count_packets", frame(64), 5).retval;
  r.tc_ipv4 = test_run(o, "classify_tc", frame(64), 2).retval;
  r.tc_arp = test_run(o, "classify_tc", frame(64, 0x0806)).retval;
  std::vector<std::uint8_t> udp = frame(80);
  udp[14 + 9] = 17;  // the IPv4 header's protocol
  r.socket_ipv4 = test_run(o, "keep_udp", udp).retval;
  r.socket_arp = test_run(o, "keep_udp", frame(80, 0x0806)).retval;
  std::vector<std::uint8_t> args(6 * 8, 0);
  args[0] = 0b101010;  // args[0]: bits 1, 3 and 5
  test_run(o, "sum_args", {}, 1, args);
  r.loop_total = global_u64(o, "loop_total");
  r.tail_taken = test_run(o, "dispatch", frame(64), 3).retval;  // slot 0: tail_target
  r.tail_failed = test_run(o, "dispatch", frame(150)).retval;   // slot 1: empty
  r.tail_hits = global_u64(o, "tail_hits");
  r.tail_missed = global_u64(o, "tail_missed");

  // The tracepoint, hit by this process five times (others' hits are filtered out).
  bpf_link *link = bpf_program__attach(bpf_object__find_program_by_name(o, "trace_getpgid"));
  EXPECT_NE(link, nullptr) << "attaching the tracepoint: " << std::strerror(errno);
  if (!link) return r;
  for (int k = 0; k < 5; ++k) getpgid(0);
  bpf_link__destroy(link);
  const std::uint32_t tgid = static_cast<std::uint32_t>(getpid());
  bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "calls")), &tgid, &r.calls);
  auto on_event = [](void *ctx, void *data, std::size_t) {
    auto *results = static_cast<shape_results *>(ctx);
    ++results->events;
    std::uint64_t iterations;
    std::memcpy(&iterations, static_cast<char *>(data) + 8, sizeof iterations);
    results->iterations += iterations;
    return 0;
  };
  ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(o, "events")), on_event, &r, nullptr);
  EXPECT_NE(rb, nullptr);
  if (rb) {
    ring_buffer__consume(rb);
    ring_buffer__free(rb);
  }
  return r;
}

void filter_this_process(bpf_object *o) {
  // libbpf-tools' pattern: the pid filter goes into .rodata before the load.
  bpf_map *rodata = bpf_object__find_map_by_name(o, ".rodata");
  const std::uint32_t tgid = static_cast<std::uint32_t>(getpid());
  ASSERT_EQ(bpf_map__set_initial_value(rodata, &tgid, sizeof tgid), 0);
}

TEST_P(shapes, run_as_before_and_are_counted) {
  if (auto missing = ensure_tracefs()) GTEST_SKIP() << *missing;
  const auto bytes = read_bytes(GetParam().path);
  const cov::instrumented_object inst = cov::instrument(bytes, GetParam().path);
  EXPECT_TRUE(inst.left_plain.empty()) << inst.left_plain.front().function << ": " << inst.left_plain.front().reason;

  load_result plain = load(bytes, "shapes", filter_this_process);
  ASSERT_EQ(plain.error, "");
  load_result counted = load(inst.elf, "shapes", filter_this_process);
  ASSERT_EQ(counted.error, "");
  const shape_results before = drive_shapes(plain.object.get()), after = drive_shapes(counted.object.get());

  // The same behaviour, instrumented or not.
  for (const shape_results *r : {&before, &after}) {
    EXPECT_EQ(r->xdp, xdp_pass);
    EXPECT_EQ(r->tc_ipv4, tc_act_ok);
    EXPECT_EQ(r->tc_arp, tc_act_shot);
    EXPECT_EQ(r->socket_ipv4, 66u) << "the length from the network header on";
    EXPECT_EQ(r->socket_arp, 0u);
    EXPECT_EQ(r->loop_total, 5u * 45 + 9) << "five XDP runs summing 0..9, and args bits 1+3+5";
    EXPECT_EQ(r->calls, 5u);
    EXPECT_EQ(r->events, 5u);
    EXPECT_EQ(r->iterations, 5u * 45) << "bpf_loop's callback ran ten times per event";
    EXPECT_EQ(r->tail_taken, 1u) << "XDP_DROP from the tail call's target";
    EXPECT_EQ(r->tail_failed, xdp_pass);
    EXPECT_EQ(r->tail_hits, 3u);
    EXPECT_EQ(r->tail_missed, 1u);
  }

  const cov::coverage_data data =
      inst.sources.apply(read_counters(counted.object.get(), inst.sources.counters()));
  const std::string shapes_source = fs::path(PATHS_SOURCE).replace_filename("shapes.bpf.c");
  ASSERT_TRUE(data.files.count(shapes_source));
  const cov::file_coverage &file = data.files.at(shapes_source);
  const auto lines = markers(shapes_source);
  auto count = [&](const char *marker) {
    const unsigned number = lines.at(marker);
    return file.lines.count(number) ? file.lines.at(number) : ~0ull;
  };
  EXPECT_EQ(count("xdp"), 5u);
  EXPECT_EQ(count("ipv4"), 2u);
  EXPECT_EQ(count("other"), 1u);
  EXPECT_EQ(count("socket"), 1u) << "only the IPv4 packet gets past the protocol check";
  EXPECT_EQ(count("raw_tp"), 1u);
  EXPECT_EQ(count("reserve"), 5u) << "the tracepoint's lines after the pid filter ran for this process only";
  EXPECT_EQ(count("callback"), 50u) << "bpf_loop's callback is counted on each of its calls";
  EXPECT_EQ(count("global_function"), 5u);
  EXPECT_EQ(file.functions.at("count_call").count, 5u);
  EXPECT_EQ(file.functions.at("add_index").count, 50u);
  EXPECT_GE(file.functions.at("trace_getpgid").count, 5u) << "every process's getpgid enters the program";
  EXPECT_EQ(count("tail_target"), 3u) << "the tail call's target counts each tail call";
  EXPECT_EQ(count("tail_missed"), 1u) << "after a tail call: only the calls that failed";
  EXPECT_EQ(file.functions.at("dispatch").count, 4u);

  // What the counters cost the verifier, for the record.
  for (const cov::program_cost &c : inst.costs) {
    const std::uint32_t v_plain = verified_insns(plain.object.get(), c.program.c_str()),
                        v_counted = verified_insns(counted.object.get(), c.program.c_str());
    EXPECT_GT(v_counted, v_plain) << c.program;
    std::printf("%s/%s: static %u -> %u insns, verified %u -> %u insns\n", GetParam().variant.c_str(),
                c.program.c_str(), c.plain_insns, c.instrumented_insns, v_plain, v_counted);
  }
}

INSTANTIATE_TEST_SUITE_P(clang, shapes, ::testing::ValuesIn(objects("shapes")),
                         [](const auto &info) { return param_name(info.param.variant); });

// --- every program of this project's objects --------------------------------

class project_object : public kernel_param_test<test_object> {};

// Each program loads on its own (its object's others off), plain and
// instrumented: the verifier must accept the instrumented program exactly
// when it accepts the plain one.
TEST_P(project_object, programs_pass_the_verifier_instrumented_when_they_pass_plain) {
  const auto bytes = read_bytes(GetParam().path);
  const cov::instrumented_object inst = cov::instrument(bytes, GetParam().path);
  for (const cov::program_cost &c : inst.costs) {
    SCOPED_TRACE(c.program);
    auto only = [&](bpf_object *o) {
      bpf_program *prog;
      bpf_object__for_each_program(prog, o) bpf_program__set_autoload(prog, c.program == bpf_program__name(prog));
    };
    const load_result plain = load(bytes, "plain", only), counted = load(inst.elf, "counted", only);
    if (!plain.object) {
      EXPECT_FALSE(counted.object) << "loads instrumented but not plain?";
      continue;
    }
    EXPECT_EQ(counted.error, "") << "rejected once instrumented";
    if (!counted.object) continue;
    std::printf("%s/%s: static %u -> %u insns, verified %u -> %u insns\n", GetParam().variant.c_str(),
                c.program.c_str(), c.plain_insns, c.instrumented_insns,
                verified_insns(plain.object.get(), c.program.c_str()),
                verified_insns(counted.object.get(), c.program.c_str()));
  }
}

INSTANTIATE_TEST_SUITE_P(objects, project_object, ::testing::ValuesIn(objects("project")),
                         [](const auto &info) { return param_name(info.param.variant); });

// --- at the verifier's limits -------------------------------------------------

class limits : public kernel_test {};

// heavy_loop verifies plain but not instrumented (too many instructions
// processed): the load fails naming it, and coverage is taken for the rest
// of the object with heavy_loop left plain. full_stack is left plain from
// the start: no stack left for the counters' scratch registers.
TEST_F(limits, a_program_the_verifier_rejects_instrumented_runs_plain_and_says_why) {
  const auto bytes = read_bytes(LIMITS_OBJECT);
  const load_result plain = load(bytes, "limits");
  ASSERT_EQ(plain.error, "") << "the plain object must load";
  const std::uint32_t heavy_plain = verified_insns(plain.object.get(), "heavy_loop");
  std::printf("heavy_loop: %u instructions verified plain\n", heavy_plain);

  const cov::instrumented_object first = cov::instrument(bytes, LIMITS_OBJECT);
  const load_result rejected = load(first.elf, "limits");
  ASSERT_FALSE(rejected.object) << "heavy_loop was meant to pass the verifier's limit once instrumented";
  EXPECT_NE(rejected.error.find("prog 'heavy_loop': failed to load"), std::string::npos) << rejected.error;
  EXPECT_NE(rejected.error.find("BPF program is too large"), std::string::npos) << rejected.error;

  cov::instrument_options options;
  options.leave_plain = {"heavy_loop"};
  const cov::instrumented_object second = cov::instrument(bytes, LIMITS_OBJECT, options);
  const load_result counted = load(second.elf, "limits");
  ASSERT_EQ(counted.error, "");
  std::map<std::string, std::string> why;
  for (const auto &p : second.left_plain) why[p.function] = p.reason;
  EXPECT_EQ(why.size(), 2u);
  EXPECT_EQ(why["heavy_loop"], "left plain on request");
  EXPECT_NE(why["full_stack"].find("no room"), std::string::npos);

  EXPECT_EQ(test_run(counted.object.get(), "heavy_loop", frame(64)).retval, xdp_pass);
  EXPECT_EQ(test_run(counted.object.get(), "full_stack", frame(64)).retval, xdp_pass);
  EXPECT_EQ(test_run(counted.object.get(), "light", frame(64), 3).retval, xdp_pass);
  EXPECT_EQ(test_run(counted.object.get(), "crowded", frame(64), 2).retval, xdp_pass);
  EXPECT_EQ(global_u64(counted.object.get(), "crowded_result"), 45u) << "the saved registers were restored";
  EXPECT_EQ(verified_insns(counted.object.get(), "heavy_loop"), heavy_plain) << "left plain: the same program";
  EXPECT_EQ(global_u64(counted.object.get(), "full_stack_result"), 45u);

  const cov::coverage_data data = second.sources.apply(read_counters(counted.object.get(), second.sources.counters()));
  ASSERT_EQ(data.files.size(), 1u);
  const cov::file_coverage &file = data.files.begin()->second;
  EXPECT_EQ(file.functions.size(), 2u) << "light and crowded are measured";
  EXPECT_EQ(file.functions.at("light").count, 3u);
  EXPECT_EQ(file.functions.at("crowded").count, 2u);
  const unsigned crowded_line = markers(fs::path(PATHS_SOURCE).replace_filename("limits.bpf.c")).at("crowded");
  EXPECT_EQ(file.lines.at(crowded_line), 2u) << "counted past the block whose counter saves registers";
}

}  // namespace
