#!/usr/bin/env python3
"""Build speed of bpfkit against the hand-written clang + bpftool pipeline.

Generates one synthetic project (OBJECTS objects of SOURCES sources each, every
source a CO-RE tracing program that includes vmlinux.h first) and builds it
twice in the same run:

  baseline  a Makefile doing what eBPF projects write by hand:
            bpftool btf dump > vmlinux.h; clang -target bpf -g -O2 -c per
            source; bpftool gen object per object; bpftool gen skeleton
  bpfkit    a CMake project calling bpf_add_object() per object (Ninja)

Both run with the same parallelism. Printed: clean build and one-source
incremental rebuild times and their ratios (baseline / bpfkit, > 1 means
bpfkit is faster). Absolute times are noise on shared machines; the ratios
taken in one run are the figure to read.

usage: build_speed.py --prefix <installed bpfkit> [--objects N] [--sources N]
                      [--jobs N] [--repeat N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROGRAM = r'''#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct {{
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u64);
}} counts_{obj}_{src} SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat_{obj}_{src}(void *ctx) {{
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  __u32 tgid = BPF_CORE_READ(task, real_parent, tgid);
  __u64 one = 1, *value = bpf_map_lookup_elem(&counts_{obj}_{src}, &tgid);
  if (value)
    __sync_fetch_and_add(value, 1);
  else
    bpf_map_update_elem(&counts_{obj}_{src}, &tgid, &one, BPF_NOEXIST);
  return 0;
}}
'''
LICENSE = 'char LICENSE[] SEC("license") = "GPL";\n'


def generate(root, objects, sources):
    names = []
    for o in range(objects):
        obj = f"obj{o}"
        names.append((obj, [f"{obj}_s{s}.bpf.c" for s in range(sources)]))
        for s in range(sources):
            text = PROGRAM.format(obj=o, src=s) + (LICENSE if s == 0 else "")
            with open(os.path.join(root, f"{obj}_s{s}.bpf.c"), "w") as f:
                f.write(text)
    return names


def write_makefile(root, names, clang, arch_define, multiarch):
    rules = ["VMLINUX_BTF ?= /sys/kernel/btf/vmlinux",
             f"CFLAGS := -target bpf -g -O2 {arch_define} -idirafter /usr/include/{multiarch} -I.",
             "all: " + " ".join(f"{obj}.skel.h" for obj, _ in names),
             "vmlinux.h: $(VMLINUX_BTF)\n\tbpftool btf dump file $< format c > $@",
             "%.o: %.bpf.c vmlinux.h\n\t" + clang + " $(CFLAGS) -c $< -o $@"]
    for obj, sources in names:
        objs = " ".join(s.replace(".bpf.c", ".o") for s in sources)
        rules.append(f"{obj}.bpf.o: {objs}\n\tbpftool gen object $@ $^")
        rules.append(f"{obj}.skel.h: {obj}.bpf.o\n\tbpftool gen skeleton $< name {obj} > $@")
    with open(os.path.join(root, "Makefile"), "w") as f:
        f.write("\n\n".join(rules) + "\n")


def write_cmakelists(root, names):
    lines = ["cmake_minimum_required(VERSION 3.20)", "project(bench LANGUAGES NONE)",
             "find_package(bpfkit CONFIG REQUIRED)"]
    for obj, sources in names:
        lines.append(f"bpf_add_object({obj} SOURCES {' '.join(sources)})")
    with open(os.path.join(root, "CMakeLists.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def timed(cmd, cwd):
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build_speed: {' '.join(cmd)} failed in {cwd}:\n{result.stdout}")
    return elapsed


def touch_one(root, names):
    path = os.path.join(root, names[0][1][-1])
    with open(path, "a") as f:
        f.write("/* edit */\n")


def run_once(work, args, clang, arch_define, multiarch):
    base = os.path.join(work, "baseline")
    kit = os.path.join(work, "bpfkit")
    for d in (base, kit):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    names = generate(base, args.objects, args.sources)
    generate(kit, args.objects, args.sources)
    write_makefile(base, names, clang, arch_define, multiarch)
    write_cmakelists(kit, names)
    build = os.path.join(kit, "build")
    subprocess.run(["cmake", "-S", kit, "-B", build, "-G", "Ninja",
                    f"-DCMAKE_PREFIX_PATH={args.prefix}", f"-DBPF_CLANG={clang}"],
                   check=True, stdout=subprocess.DEVNULL)
    jobs = str(args.jobs)
    result = {
        "baseline_clean": timed(["make", "-j", jobs], base),
        "bpfkit_clean": timed(["cmake", "--build", build, "-j", jobs], kit),
    }
    time.sleep(1.1)  # distinct mtimes for the edit
    touch_one(base, names)
    touch_one(kit, names)
    result["baseline_incremental"] = timed(["make", "-j", jobs], base)
    result["bpfkit_incremental"] = timed(["cmake", "--build", build, "-j", jobs], kit)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True, help="an installed bpfkit (cmake --install)")
    parser.add_argument("--objects", type=int, default=4)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clang", default=shutil.which("clang") or "clang")
    args = parser.parse_args()
    for tool in ("bpftool", "make", "cmake", "ninja", args.clang):
        if not shutil.which(tool):
            sys.exit(f"build_speed: {tool} is not installed (run ci/install-deps.sh)")
    multiarch = subprocess.run([args.clang, "-print-multiarch"], capture_output=True,
                               text=True).stdout.strip() or "x86_64-linux-gnu"
    arch_define = "-D__TARGET_ARCH_x86"

    runs = []
    with tempfile.TemporaryDirectory(prefix="bpfkit-bench-") as work:
        for _ in range(args.repeat):
            runs.append(run_once(work, args, args.clang, arch_define, multiarch))
    med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"build speed: {args.objects} objects x {args.sources} sources, -j{args.jobs}, "
          f"median of {args.repeat} runs")
    for phase in ("clean", "incremental"):
        b, k = med[f"baseline_{phase}"], med[f"bpfkit_{phase}"]
        print(f"  {phase:<12} clang+bpftool {b:7.3f} s   bpfkit {k:7.3f} s   ratio {b / k:5.2f}x")


if __name__ == "__main__":
    main()
