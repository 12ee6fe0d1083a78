#!/usr/bin/env python3
"""Speed of a declarative BPF test, against its bare kernel work and against
the same check scripted with bpftool, in one run.

The check: load xdp_counter's count_packets, run it once on a UDP packet,
expect XDP_PASS and PACKET_COUNTER[0] == 1.

  bpfkit      ctest's command for bench.declarative: bpfkit-test SPEC
  kernel      bpfkit_bench_kernel_work: a minimal C++ program doing only the
              load, the test run and the map read (a process per check too)
  bpftool     bpftool prog load ... pinmaps; bpftool prog run; bpftool map
              dump; removing the pins (what a hand-written script does)

Prints the median time per check of each and the ratios bpfkit / kernel
(target <= 1.5) and bpftool / bpfkit (target >= 5). Needs root.

usage: test_speed.py --build <bpfkit build dir> [--runs N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def time_runs(command, runs, env=None):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        samples.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"test_speed: {' '.join(command)} failed:\n{result.stdout}")
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="bpfkit's build directory")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("test_speed: needs root to load BPF programs")
    build = os.path.abspath(args.build)
    runner = os.path.join(build, "bin", "bpfkit-test")
    spec = os.path.join(build, "bench", "bpfkit_tests", "bench_declarative.bpftest")
    kernel = os.path.join(build, "bench", "bpfkit_bench_kernel_work")
    obj = os.path.join(build, "examples", "xdp_counter", "xdp_counter.bpf.o")
    for path in (runner, spec, kernel, obj):
        if not os.path.exists(path):
            sys.exit(f"test_speed: {path} is missing; build bpfkit first (cmake --build {build})")
    if not shutil.which("bpftool"):
        sys.exit("test_speed: bpftool is not installed (ci/install-deps.sh installs it)")

    with tempfile.TemporaryDirectory(prefix="bpfkit-bench-") as tmp:
        packet = os.path.join(tmp, "packet.bin")
        # The same frame the spec's PACKET builds: eth/ipv4/udp/payload(len=16).
        with open(packet, "wb") as f:
            f.write(bytes(58))
        pins = f"/sys/fs/bpf/bpfkit-bench-{os.getpid()}"
        script = os.path.join(tmp, "bpftool_check.sh")
        with open(script, "w") as f:
            f.write(f"""#!/bin/sh
set -e
trap 'rm -rf {pins} {pins}-maps' EXIT
bpftool prog load {obj} {pins} type xdp pinmaps {pins}-maps
bpftool prog run pinned {pins} data_in {packet} repeat 1 | grep -q 'Return value: 2'
bpftool map dump pinned {pins}-maps/PACKET_COUNTER | grep -q 'value'
""")
        os.chmod(script, 0o755)
        timings = {
            "bpfkit": time_runs([runner, spec], args.runs),
            "kernel": time_runs([kernel, obj, "count_packets", packet], args.runs),
            "bpftool": time_runs([script], args.runs),
        }
    print(f"test speed: one declarative check, median of {args.runs} runs")
    for name, seconds in timings.items():
        print(f"  {name:<8} {seconds * 1000:8.2f} ms per check")
    print(f"  bpfkit / kernel work  {timings['bpfkit'] / timings['kernel']:5.2f}x  (target <= 1.5)")
    print(f"  bpftool / bpfkit      {timings['bpftool'] / timings['bpfkit']:5.2f}x  (target >= 5)")


if __name__ == "__main__":
    main()
