// bpfkit::requirements: the spelling of requirements (anywhere), and the
// probes against what the kernel's history says each kernel has (on the host
// and, through the kernel matrix, in 5.10 and the other guests).
#include <bpf/libbpf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/requirements.hpp"
#include "bpfkit/testing/environment.hpp"

namespace req = bpfkit::requirements;
using ::testing::HasSubstr;

namespace {

req::kernel_version v(int major, int minor, int patch = 0) { return {major, minor, patch}; }

std::string error_of(auto&& action) {
  try {
    action();
  } catch (const req::requirement_error& error) {
    return error.what();
  }
  return "(no error)";
}

// The running kernel is at least major.minor.
bool at_least(int major, int minor) { return req::current_kernel().version >= v(major, minor); }

req::availability expected(bool present) { return present ? req::availability::present : req::availability::absent; }

std::string state_name(req::availability state) {
  switch (state) {
    case req::availability::present: return "present";
    case req::availability::absent: return "absent";
    case req::availability::unknown: return "unknown";
  }
  return "?";
}

// Probes `text` and checks it against what kernel history says.
void expect_probe(req::kernel_probe& probe, const std::string& text, bool present) {
  const req::probe_result result = probe.probe(req::parse_feature(text));
  EXPECT_EQ(state_name(result.state), state_name(expected(present)))
      << text << " in kernel " << probe.kernel().release << ": " << result.detail;
}

}  // namespace

TEST(KernelVersion, FromRelease) {
  EXPECT_EQ(req::kernel_version::from_release("5.10.0-28-amd64"), v(5, 10, 0));
  EXPECT_EQ(req::kernel_version::from_release("6.12.117+deb12-amd64"), v(6, 12, 117));
  EXPECT_EQ(req::kernel_version::from_release("6.18.44-fc-v782"), v(6, 18, 44));
  EXPECT_EQ(req::kernel_version::from_release("6.6"), v(6, 6, 0));
  EXPECT_EQ(req::kernel_version::from_release("linux"), std::nullopt);
  EXPECT_EQ(req::kernel_version::from_release("6"), std::nullopt);
}

TEST(KernelVersion, ParsesMinKernel) {
  EXPECT_EQ(req::kernel_version::parse("6.6"), v(6, 6));
  EXPECT_EQ(req::kernel_version::parse("5.10.3"), v(5, 10, 3));
  EXPECT_EQ(req::kernel_version::parse("6.6").str(), "6.6");
  EXPECT_EQ(req::kernel_version::parse("5.10.3").str(), "5.10.3");
  for (const char* bad : {"", "6", "6.", "6.x", "v6.6", "6.6.1.2", "6.6-rc1", " 6.6", "6..6"})
    EXPECT_EQ(error_of([&] { req::kernel_version::parse(bad); }),
              "MIN_KERNEL '" + std::string(bad) + "' is not a kernel version: write <major>.<minor>, e.g. 5.10 or 6.6")
        << bad;
}

TEST(KernelVersion, Compares) {
  EXPECT_LT(v(5, 10, 0), v(6, 6));
  EXPECT_LT(v(6, 1, 192), v(6, 6));
  EXPECT_GE(v(6, 6, 0), v(6, 6));
  EXPECT_GT(v(6, 12, 0), v(6, 6));
  EXPECT_LT(v(5, 9, 99), v(5, 10));
}

TEST(Spelling, ParsesEachKind) {
  const auto prog = req::parse_feature("prog:xdp");
  EXPECT_EQ(prog.kind, req::feature_kind::program_type);
  EXPECT_EQ(prog.id, BPF_PROG_TYPE_XDP);
  const auto map = req::parse_feature("map:ringbuf");
  EXPECT_EQ(map.kind, req::feature_kind::map_type);
  EXPECT_EQ(map.id, BPF_MAP_TYPE_RINGBUF);
  const auto helper = req::parse_feature("helper:bpf_loop");
  EXPECT_EQ(helper.kind, req::feature_kind::helper);
  EXPECT_EQ(helper.id, BPF_FUNC_loop);
  EXPECT_FALSE(helper.helper_program_type);
  const auto scoped = req::parse_feature("helper:bpf_redirect@sched_cls");
  EXPECT_EQ(scoped.id, BPF_FUNC_redirect);
  EXPECT_EQ(scoped.helper_program_type, BPF_PROG_TYPE_SCHED_CLS);
  const auto kfunc = req::parse_feature("kfunc:bpf_obj_new_impl");
  EXPECT_EQ(kfunc.kind, req::feature_kind::kfunc);
  EXPECT_EQ(kfunc.name, "bpf_obj_new_impl");
}

TEST(Spelling, RoundTripsAndDescribes) {
  for (const char* text : {"prog:xdp", "map:ringbuf", "helper:bpf_loop", "helper:bpf_redirect@sched_cls",
                           "kfunc:bpf_obj_new_impl"})
    EXPECT_EQ(req::parse_feature(text).spelling(), text);
  EXPECT_EQ(req::parse_feature("prog:xdp").description(), "program type xdp");
  EXPECT_EQ(req::parse_feature("map:ringbuf").description(), "map type ringbuf");
  EXPECT_EQ(req::parse_feature("helper:bpf_loop").description(), "helper bpf_loop");
  EXPECT_EQ(req::parse_feature("helper:bpf_redirect@sched_cls").description(),
            "helper bpf_redirect in sched_cls programs");
  EXPECT_EQ(req::parse_feature("kfunc:bpf_obj_new_impl").description(), "kfunc bpf_obj_new_impl");
}

TEST(Spelling, ErrorsNameTheFix) {
  EXPECT_EQ(error_of([] { req::parse_feature("xdp"); }),
            "'xdp' is not a requirement: write <kind>:<name> with kind prog, map, helper or kfunc, e.g. "
            "prog:xdp, map:ringbuf, helper:bpf_loop, helper:bpf_loop@xdp, kfunc:bpf_obj_new_impl.");
  EXPECT_THAT(error_of([] { req::parse_feature("program:xdp"); }),
              HasSubstr("'program:xdp': unknown kind 'program': write <kind>:<name> with kind prog, map"));
  EXPECT_THAT(error_of([] { req::parse_feature("prog:xpd"); }),
              HasSubstr("'prog:xpd': unknown program type 'xpd' (did you mean xdp?). Known program types: "
                        "unspec, socket_filter, kprobe, sched_cls, sched_act, tracepoint, xdp,"));
  EXPECT_THAT(error_of([] { req::parse_feature("map:ringbuff"); }),
              HasSubstr("unknown map type 'ringbuff' (did you mean ringbuf"));
  EXPECT_THAT(error_of([] { req::parse_feature("map:ringbuff"); }), HasSubstr("Known map types: unspec, hash, array,"));
  EXPECT_THAT(error_of([] { req::parse_feature("helper:bpf_lop"); }),
              HasSubstr("'helper:bpf_lop': unknown helper 'bpf_lop' (did you mean bpf_loop?). Known helpers: "
                        "bpf_map_lookup_elem, bpf_map_update_elem,"));
  EXPECT_THAT(error_of([] { req::parse_feature("helper:loop"); }), HasSubstr("unknown helper 'loop'"));
  EXPECT_THAT(error_of([] { req::parse_feature("helper:bpf_loop@xpd"); }),
              HasSubstr("'helper:bpf_loop@xpd': unknown program type 'xpd' (did you mean xdp?)"));
  EXPECT_EQ(error_of([] { req::parse_feature("kfunc:1abc"); }),
            "'kfunc:1abc': '1abc' is not a function name (a C identifier, e.g. kfunc:bpf_obj_new_impl).");
  EXPECT_THAT(error_of([] { req::parse_feature("kfunc:"); }), HasSubstr("is not a function name"));
}

TEST(Spelling, KnownNamesComeFromLibbpfAndTheHeaders) {
  const auto programs = req::known_names(req::feature_kind::program_type);
  EXPECT_NE(std::find(programs.begin(), programs.end(), "xdp"), programs.end());
  const auto maps = req::known_names(req::feature_kind::map_type);
  EXPECT_NE(std::find(maps.begin(), maps.end(), "ringbuf"), maps.end());
  const auto helpers = req::known_names(req::feature_kind::helper);
  EXPECT_NE(std::find(helpers.begin(), helpers.end(), "bpf_loop"), helpers.end());
  EXPECT_EQ(std::find(helpers.begin(), helpers.end(), ""), helpers.end());
  EXPECT_TRUE(req::known_names(req::feature_kind::kfunc).empty());
}

TEST(Requirements, MinKernelAgainstAGivenKernel) {
  const std::vector<std::string> none;
  req::kernel_probe old_kernel(req::running_kernel{"5.10.0-28-amd64", v(5, 10, 0)});
  EXPECT_EQ(req::unmet(req::requirements::parse("6.6", none), old_kernel),
            std::vector<std::string>{"needs kernel 6.6 or newer; this is 5.10.0-28-amd64"});
  EXPECT_TRUE(req::unmet(req::requirements::parse("5.10", none), old_kernel).empty());
  EXPECT_TRUE(req::unmet(req::requirements::parse("", none), old_kernel).empty());
  EXPECT_TRUE(req::requirements::parse("", none).empty());
  EXPECT_THAT(error_of([&] { req::requirements::parse("latest", none); }), HasSubstr("MIN_KERNEL 'latest'"));
  const std::vector<std::string> bad{"helper:bpf_loop", "nonsense"};
  EXPECT_THAT(error_of([&] { req::requirements::parse("", bad); }), HasSubstr("'nonsense' is not a requirement"));
}

TEST(Requirements, CurrentKernelIsUname) {
  const auto kernel = req::current_kernel();
  EXPECT_FALSE(kernel.release.empty());
  EXPECT_EQ(req::kernel_version::from_release(kernel.release), kernel.version);
  EXPECT_GE(kernel.version, v(4, 0));
}

// What each feature's kernel version says, probed in the running kernel: on
// the host everything is there; in 5.10 bpf_loop, the syscall program type
// and the bpf_obj_new_impl kfunc are not, the ring buffer is.
TEST(Probes, ProgramTypes) {
  BPFKIT_REQUIRE_BPF();
  req::kernel_probe probe;
  expect_probe(probe, "prog:xdp", true);
  expect_probe(probe, "prog:socket_filter", true);
  expect_probe(probe, "prog:sched_cls", true);
  expect_probe(probe, "prog:syscall", at_least(5, 14));
}

TEST(Probes, MapTypes) {
  BPFKIT_REQUIRE_BPF();
  req::kernel_probe probe;
  expect_probe(probe, "map:hash", true);
  expect_probe(probe, "map:ringbuf", at_least(5, 8));
  expect_probe(probe, "map:task_storage", at_least(5, 11));
}

TEST(Probes, Helpers) {
  BPFKIT_REQUIRE_BPF();
  req::kernel_probe probe;
  expect_probe(probe, "helper:bpf_map_lookup_elem", true);
  expect_probe(probe, "helper:bpf_ringbuf_output", at_least(5, 8));
  expect_probe(probe, "helper:bpf_loop", at_least(5, 17));
  expect_probe(probe, "helper:bpf_loop@xdp", at_least(5, 17));
  expect_probe(probe, "helper:bpf_redirect@sched_cls", true);
  // A helper that exists but not for this program type.
  expect_probe(probe, "helper:bpf_redirect@socket_filter", false);
}

TEST(Probes, Kfuncs) {
  req::kernel_probe probe;
  const auto result = probe.probe(req::parse_feature("kfunc:bpf_obj_new_impl"));
  if (result.state == req::availability::unknown) GTEST_SKIP() << result.detail;
  expect_probe(probe, "kfunc:bpf_obj_new_impl", at_least(6, 2));
  expect_probe(probe, "kfunc:bpfkit_no_such_kfunc", false);
}

TEST(Probes, UnmetReasonsNameTheKernel) {
  BPFKIT_REQUIRE_BPF();
  req::kernel_probe probe;
  const std::vector<std::string> needs{"helper:bpf_loop", "map:ringbuf", "prog:xdp"};
  const auto reasons = req::unmet(req::requirements::parse("5.10", needs), probe);
  if (at_least(5, 17)) {
    EXPECT_TRUE(reasons.empty()) << reasons.front();
  } else {
    EXPECT_EQ(reasons, std::vector<std::string>{"needs helper bpf_loop, which kernel " +
                                                 probe.kernel().release + " lacks"});
  }
}

// Run as nobody by requirements.unprivileged: a probe that cannot tell says
// why, and the requirement is unmet, never silently met.
TEST(Unprivileged, UnprobedFeaturesAreUnmetWithTheReason) {
  if (bpfkit::testing::bpf_unavailable_reason().empty())
    GTEST_SKIP() << "this process may load BPF: requirements.unprivileged runs this case as nobody";
  req::kernel_probe probe;
  const std::vector<std::string> needs{"helper:bpf_loop"};
  const auto reasons = req::unmet(req::requirements::parse("", needs), probe);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0], HasSubstr("needs helper bpf_loop, which cannot be probed in kernel " +
                                    probe.kernel().release + ": probing needs the privilege to load BPF"));
}

// Run by requirements.without_kernel_btf, in a mount namespace where
// /sys/kernel/btf (and libbpf's fallbacks under /boot and /lib/modules) are
// empty: a kernel built without CONFIG_DEBUG_INFO_BTF.
TEST(WithoutKernelBtf, TheGatewayAndTheKfuncProbeSayTheKernelHasNone) {
  if (access("/sys/kernel/btf/vmlinux", F_OK) == 0)
    GTEST_SKIP() << "this kernel has BTF: requirements.without_kernel_btf runs this case with it hidden";
  int code = 0;
  std::string what;
  try {
    bpfkit::kernel::vmlinux_btf();
  } catch (const bpfkit::error& e) {
    code = e.code().value();
    what = e.what();
  }
  EXPECT_EQ(code, ENOENT);
  EXPECT_THAT(what, HasSubstr("the kernel has no BTF: /sys/kernel/btf/vmlinux is missing (the kernel needs "
                              "CONFIG_DEBUG_INFO_BTF)"));
  // What reads it degrades instead of failing.
  EXPECT_TRUE(bpfkit::kernel::helper_names().empty());
  req::kernel_probe probe;
  const std::vector<std::string> needs{"kfunc:bpf_obj_new_impl"};
  const auto reasons = req::unmet(req::requirements::parse("", needs), probe);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0], HasSubstr("kfunc bpf_obj_new_impl"));
  EXPECT_THAT(reasons[0], HasSubstr("the kernel has no BTF: /sys/kernel/btf/vmlinux is missing"));
}
