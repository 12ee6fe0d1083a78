#!/usr/bin/env python3
"""The bench.quick test: runs bench/run (the command after `--`), shows its
output, and fails unless it exited 0 and printed exactly one well-formed
line for every figure issue 13 names:

  RATIO <name> <median> <min> <max>    three non-negative numbers, min <= median <= max
  SKIPPED <name> <reason>              only for the test figures, only when not root

It checks that the benchmark works, not that the targets hold: figures
measured while other builds run are noise.

usage: check_run.py -- bench/run --quick [options]
"""
import math
import os
import re
import subprocess
import sys

FIGURES = [
    "cold_build_vs_pipeline", "host_build_vs_pipeline", "host_floor_vs_pipeline",
    "skeleton_tu_vs_std_headers",
    "noop_rebuild_seconds",
    "header_edit_vs_pipeline", "link_ms_per_object", "skel_ms_per_object",
    "declarative_test_vs_bpftool", "declarative_test_vs_kernel_work",
    "thousand_tests_seconds", "map_ops_vs_raw_libbpf", "peak_rss_mib",
]
# Figures that load BPF programs: bench/run may skip them without root.
NEED_ROOT = {"declarative_test_vs_bpftool", "declarative_test_vs_kernel_work",
             "thousand_tests_seconds", "map_ops_vs_raw_libbpf"}
NUMBER = r"[0-9]+(?:\.[0-9]+)?"
RATIO = re.compile(rf"^RATIO (\S+) ({NUMBER}) ({NUMBER}) ({NUMBER})$")
SKIPPED = re.compile(r"^SKIPPED (\S+) (\S.*)$")


def problems_in(output, as_root):
    problems = []
    seen = {}
    for line in output.splitlines():
        if not line.startswith(("RATIO", "SKIPPED")):
            continue
        ratio, skipped = RATIO.match(line), SKIPPED.match(line)
        if not ratio and not skipped:
            problems.append(f"malformed line: {line!r}")
            continue
        name = (ratio or skipped).group(1)
        if name not in FIGURES:
            problems.append(f"unknown figure {name!r}: {line!r}")
            continue
        if name in seen:
            problems.append(f"{name} printed twice")
        seen[name] = line
        if ratio:
            median, low, high = (float(ratio.group(i)) for i in (2, 3, 4))
            if not all(math.isfinite(v) and v > 0 for v in (median, low, high)):
                problems.append(f"{name}: values must be positive: {line!r}")
            elif not low <= median <= high:
                problems.append(f"{name}: expected min <= median <= max: {line!r}")
        elif as_root or name not in NEED_ROOT:
            problems.append(f"{name} was skipped" + (" although running as root" if as_root else "")
                            + f": {line!r}")
    problems += [f"{name}: no RATIO line" for name in FIGURES if name not in seen]
    return problems


def main():
    if "--" not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = sys.argv[sys.argv.index("--") + 1:]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    if result.returncode != 0:
        print(f"check_run: {' '.join(command)} exited {result.returncode}", file=sys.stderr)
        return 1
    problems = problems_in(result.stdout, os.geteuid() == 0)
    for problem in problems:
        print(f"check_run: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_run: all {len(FIGURES)} figures printed and well formed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
