"""Test figures: what running BPF tests costs. They load programs, so they
need root (or CAP_BPF and friends).

  declarative_test_vs_bpftool      bench.declarative's ctest command against
  declarative_test_vs_kernel_work  a shell script doing the same check with
                                   bpftool (load with pinned maps, prog run,
                                   map lookup, unpin), and against kernel_work
                                   (raw libbpf: only the kernel work). Each a
                                   process per check, interleaved.
  thousand_tests_seconds           `ctest -j2` over the corpus's
                                   CORPUS_TEST_COUNT tests (scaled to 1,000
                                   when fewer were registered); the note
                                   gives ctest's floor: as many tests of
                                   /bin/true, run right after
  map_ops_vs_raw_libbpf            map_ops_benchmark (Google Benchmark)
"""
import json
import os
import statistics
import struct

from .process import BenchError, progress, run

# bench.declarative (corpus/tests.cmake): classify on this frame returns
# XDP_PASS (2) and counts class_counts[4] (UDP) = {frames=1, bytes=58}.
DECLARATIVE_TEST = "bench.declarative"
EXPECTED_RETVAL = 2
UDP_CLASS = 4


def _checksum(data):
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def declarative_frame():
    """The frame of bench.declarative's PACKET: eth/ipv4(src=10.0.0.1,
    dst=10.0.0.2)/udp(sport=1000,dport=53)/payload(len=16), 58 bytes."""
    payload = bytes(16)
    udp = struct.pack("!HHHH", 1000, 53, 8 + len(payload), 0)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 0,
                               0x4000, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
    ip[10:12] = struct.pack("!H", _checksum(bytes(ip)))
    eth = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]) + struct.pack("!H", 0x0800)
    return eth + bytes(ip) + udp + payload


def ctest_command(build_dir, test):
    """The command ctest runs for `test`, as ctest itself reports it."""
    listing = run(["ctest", "--test-dir", build_dir, "--show-only=json-v1", "-R", f"^{test}$"],
                  what=f"listing ctest's command for {test}")
    # The listing also holds the fixture tests the test requires.
    tests = [t for t in json.loads(listing.output)["tests"] if t.get("name") == test]
    if len(tests) != 1 or "command" not in tests[0]:
        raise BenchError(f"ctest in {build_dir} has no test named {test}")
    return tests[0]["command"]


class TestBench:
    def __init__(self, corpus, figures, work):
        self.corpus = corpus
        self.figures = figures
        self.work = work

    def declarative(self, runs, iterations):
        c, tc = self.corpus, self.corpus.toolchain
        command = ctest_command(c.kit, DECLARATIVE_TEST)
        c.build("kernel_work")
        kernel_work = c.kit / "kernel_work"
        obj = c.linked(c.kit)["xdp_parser"]
        packet = self.work / "declarative.frame"
        packet.write_bytes(declarative_frame())
        script = self.work / "bpftool_check.sh"
        pins = f"/sys/fs/bpf/bpfkit-bench-{os.getpid()}"
        script.write_text(f"""#!/bin/sh
# bench.declarative's check, the way a project without bpfkit scripts it.
set -e
pin={pins}-$$
trap 'rm -rf "$pin" "$pin-maps"' EXIT
{tc.bpftool} prog load {obj} "$pin" type xdp pinmaps "$pin-maps"
{tc.bpftool} prog run pinned "$pin" data_in {packet} repeat 1 | grep -q 'Return value: {EXPECTED_RETVAL}'
{tc.bpftool} map lookup pinned "$pin-maps/class_counts" key {UDP_CLASS} 0 0 0 | grep -q '"frames": 1'
""")
        script.chmod(0o755)
        ways = {
            "bpfkit": command,
            "kernel work": [kernel_work, obj, "classify", packet, "class_counts", UDP_CLASS,
                            EXPECTED_RETVAL, 1],
            "bpftool": [script],
        }
        seconds = {way: [] for way in ways}
        for r in range(runs):
            progress(f"run {r + 1}/{runs}: one declarative test three ways, {iterations} times each")
            batch = {way: [] for way in ways}
            for _ in range(iterations):
                for way, cmd in ways.items():
                    batch[way].append(run(cmd, what=f"the declarative check ({way})").seconds)
            med = {way: statistics.median(times) for way, times in batch.items()}
            for way in ways:
                seconds[way].extend(batch[way])
            self.figures["declarative_test_vs_bpftool"].add(med["bpfkit"] / med["bpftool"])
            self.figures["declarative_test_vs_kernel_work"].add(med["bpfkit"] / med["kernel work"])
        ms = {way: statistics.median(times) * 1000 for way, times in seconds.items()}
        linkage = "static" if tc.runner_is_static else "dynamic"
        self.figures["declarative_test_vs_bpftool"].note(
            f"bpfkit-test {ms['bpfkit']:.1f} ms, bpftool script {ms['bpftool']:.1f} ms per check "
            f"(medians of {runs} x {iterations}; bpftool/bpfkit = {ms['bpftool'] / ms['bpfkit']:.1f}x)")
        self.figures["declarative_test_vs_kernel_work"].note(
            f"bpfkit-test {ms['bpfkit']:.1f} ms, kernel work {ms['kernel work']:.1f} ms per check "
            f"(both linked {linkage}ally)")

    def _ctest_floor(self, count):
        """A ctest project of `count` tests that run /bin/true: what ctest
        itself costs per test on this machine, the floor under any runner."""
        project = self.work / "ctest-floor"
        project.mkdir(exist_ok=True)
        (project / "CMakeLists.txt").write_text(
            "cmake_minimum_required(VERSION 3.20)\n"
            "project(ctest_floor NONE)\n"
            "enable_testing()\n"
            f"foreach(i RANGE 1 {count})\n"
            "  add_test(NAME floor.${i} COMMAND /bin/true)\n"
            "endforeach()\n")
        build = project / "build"
        run(["cmake", "-S", project, "-B", build], what="configuring the ctest floor project")
        return build

    def thousand(self, runs):
        c = self.corpus
        jobs = c.toolchain.jobs
        scale = 1000 / c.test_count
        floor_build = self._ctest_floor(c.test_count)
        floor = []
        for r in range(runs):
            progress(f"run {r + 1}/{runs}: {c.test_count} declarative tests with ctest "
                     f"-j{jobs}, and as many /bin/true tests")
            outcome = run(["ctest", "--test-dir", c.kit, "-j", jobs, "-R", r"^corpus\."],
                          what=f"the corpus's {c.test_count} tests")
            self.figures["thousand_tests_seconds"].add(outcome.seconds * scale)
            floor.append(run(["ctest", "--test-dir", floor_build, "-j", jobs],
                             what=f"{c.test_count} /bin/true tests").seconds * scale)
        how = (f"measured on {c.test_count} tests and scaled to 1,000 (--quick)"
               if c.test_count != 1000 else
               "1,000 tests over 10 packet programs' families and 21 tracing programs' budgets")
        self.figures["thousand_tests_seconds"].note(
            f"{how}; ctest's own floor, 1,000 tests of /bin/true at -j{jobs} in the same runs: "
            f"{statistics.median(floor):.2f} s (median)")

    def map_ops(self, runs, min_time):
        c = self.corpus
        c.build("map_ops_benchmark")
        progress(f"typed map operations against raw libbpf, {runs} interleaved repetitions")
        outcome = run([c.kit / "map_ops_benchmark", f"--benchmark_repetitions={max(runs, 2)}",
                       "--benchmark_enable_random_interleaving=true",
                       f"--benchmark_min_time={min_time}", "--benchmark_format=json"],
                      what="map_ops_benchmark")
        start = outcome.output.find("{")
        results = json.loads(outcome.output[start:])["benchmarks"]
        per_rep = {}
        for entry in results:
            if entry.get("run_type") != "iteration":
                continue
            per_rep.setdefault(entry["repetition_index"], {})[entry["run_name"]] = entry["cpu_time"]
        names = ("typed_lookup", "raw_lookup", "typed_update", "raw_update")
        for rep in sorted(per_rep)[:max(runs, 1)]:
            t = per_rep[rep]
            self.figures["map_ops_vs_raw_libbpf"].add(
                (t["typed_lookup"] + t["typed_update"]) / (t["raw_lookup"] + t["raw_update"]))
        med = {n: statistics.median(rep[n] for rep in per_rep.values()) for n in names}
        unit = results[0].get("time_unit", "ns")
        self.figures["map_ops_vs_raw_libbpf"].note(
            f"lookup: typed {med['typed_lookup']:.0f} {unit}, raw {med['raw_lookup']:.0f} {unit}; "
            f"update: typed {med['typed_update']:.0f} {unit}, raw {med['raw_update']:.0f} {unit}")
