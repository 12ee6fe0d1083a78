#!/usr/bin/env python3
"""Compile cost of a translation unit that includes a generated skeleton.

Compiles, alternately and RUNS times each, two translation units with the
build's C++ compiler and flags (-std=c++20 -O2 -g -c):

  std_headers  #include <cstdint>, <optional>, <span>, <string>,
               <system_error>, <vector>, and an empty main()
  skeleton     #include "<name>.skel.hpp" and a main() that calls
               <name>::skeleton::open()

and measures the CPU time (user + system) of each compile. Each skeleton
compile is divided by the std_headers compile next to it, so both see the
same machine load; printed last:

  RATIO skeleton_tu_vs_std_headers <median> <min> <max>

The target (issue 10) is a median of at most 1.5. Absolute times are noise on
shared machines; the ratio is the figure to read.

usage: skeleton_tu.py --build <bpfkit build dir> [--skeleton <name>.skel.hpp]
                      [--compiler CXX] [--runs N]
"""
import argparse
import glob
import os
import resource
import statistics
import subprocess
import sys
import tempfile

STD_HEADERS = """#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

int main() { return 0; }
"""

SKELETON = """#include "{header}"

int main() {{
  auto skel = {name}::skeleton::open();
  return skel.object().loaded() ? 1 : 0;
}}
"""


def cache_value(build, key):
    with open(os.path.join(build, "CMakeCache.txt")) as cache:
        for line in cache:
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    return None


def default_skeleton(build):
    """The richest skeleton of bpfkit's own tests: every map class, nested
    and packed types, custom data sections."""
    found = glob.glob(os.path.join(build, "**", "skel_layout.skel.hpp"), recursive=True)
    if not found:
        sys.exit("no skel_layout.skel.hpp under %s: build bpfkit's tests first, or give --skeleton" % build)
    return found[0]


def cpu_seconds(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit("compile failed: %s\n%s" % (" ".join(command), result.stderr))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="a configured and built bpfkit build directory")
    parser.add_argument("--skeleton", help="the skeleton header to include (default: skel_layout.skel.hpp)")
    parser.add_argument("--compiler", help="C++ compiler (default: the build's CMAKE_CXX_COMPILER)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    build = os.path.abspath(args.build)
    source_dir = cache_value(build, "bpfkit_SOURCE_DIR") or cache_value(build, "CMAKE_HOME_DIRECTORY")
    compiler = args.compiler or cache_value(build, "CMAKE_CXX_COMPILER") or "c++"
    header = os.path.abspath(args.skeleton or default_skeleton(build))
    name = os.path.basename(header)[: -len(".skel.hpp")]
    flags = ["-std=c++20", "-O2", "-g", "-c",
             "-I" + os.path.dirname(header),
             "-I" + os.path.join(source_dir, "loader", "include"),
             "-I" + os.path.join(source_dir, "loader", "verifier", "include")]

    with tempfile.TemporaryDirectory(prefix="bpfkit-skeleton-tu-") as work:
        std_source = os.path.join(work, "std_headers.cpp")
        skel_source = os.path.join(work, "skeleton.cpp")
        with open(std_source, "w") as f:
            f.write(STD_HEADERS)
        with open(skel_source, "w") as f:
            f.write(SKELETON.format(header=header, name=name))
        std_command = [compiler, *flags, std_source, "-o", os.path.join(work, "std.o")]
        skel_command = [compiler, *flags, skel_source, "-o", os.path.join(work, "skel.o")]
        cpu_seconds(std_command)  # warm the file cache for both
        cpu_seconds(skel_command)
        ratios, std_times, skel_times = [], [], []
        for _ in range(args.runs):
            std_time = cpu_seconds(std_command)
            skel_time = cpu_seconds(skel_command)
            std_times.append(std_time)
            skel_times.append(skel_time)
            ratios.append(skel_time / std_time)

    print("compiler     %s" % compiler)
    print("skeleton     %s" % header)
    print("std_headers  median %.3f s CPU (%d runs)" % (statistics.median(std_times), args.runs))
    print("skeleton     median %.3f s CPU (%d runs)" % (statistics.median(skel_times), args.runs))
    print("RATIO skeleton_tu_vs_std_headers %.2f %.2f %.2f"
          % (statistics.median(ratios), min(ratios), max(ratios)))


if __name__ == "__main__":
    main()
