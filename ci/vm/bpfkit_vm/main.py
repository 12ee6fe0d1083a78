"""bpfkit-kernel-matrix: the command line (usage: --help)."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import builds as trees, guest, initramfs, kernels, machine, results, selection
from .errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, MatrixError, Skipped, UsageError
from .locking import locked

HERE = Path(__file__).resolve().parent.parent   # ci/vm, or libexec/bpfkit/vm when installed

DESCRIPTION = """\
Runs the BPF tests (ctest label "bpf") of one or more built trees under other
kernels: each kernel boots once under QEMU with the host's root shared
read-only, runs every tree's tests, and powers off. Prints each test's result
per kernel, the boot and shutdown overhead, and writes a JUnit file per kernel.
"""
EPILOG = """\
kernels: host (no VM), a series (5.10, 6.1, 6.12: Debian's newest), an exact
Debian kernel (5.10.0-28, 6.12.117+deb12), or NAME=DIR for a kernel of your own.

exit status: 0 all passed (or skipped), 1 a test failed or a kernel could not
boot or finish, 2 usage, 3 a kernel that cannot be had, 77 skipped (nothing
to run here: no QEMU, or ctest did not ask for the matrix with --when-asked).

environment: BPFKIT_VM_CACHE (kernel cache), BPFKIT_VM_QEMU, BPFKIT_VM_BUSYBOX,
BPFKIT_VM_DEBIAN_MIRROR, BPFKIT_VM=1|0 (with --when-asked: run or skip),
BPFKIT_VM_ACCEL=kvm|tcg|auto (default auto: KVM where QEMU can use it).
"""


def bpfkit_version():
    """The project() version of bpfkit's CMakeLists.txt: written into
    bpfkit_vm/version.py when installed, read from the source tree otherwise."""
    try:
        from .version import VERSION
        return VERSION
    except ImportError:
        import re
        cmake = HERE.parent.parent / "CMakeLists.txt"
        found = re.search(r"project\(bpfkit VERSION ([0-9.]+)", cmake.read_text()) if cmake.is_file() else None
        return found.group(1) if found else "unknown"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="bpfkit-kernel-matrix", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s (bpfkit) {bpfkit_version()}")
    parser.add_argument("-k", "--kernel", action="append", required=True, metavar="KERNEL",
                        help="a kernel to run in (repeatable; commas separate several)")
    parser.add_argument("-b", "--build", action="append", default=[], metavar="DIR[=NAME]",
                        help="a built tree whose tests run (repeatable); NAME labels its results")
    parser.add_argument("--also-with", action="append", default=[], metavar="CLANG",
                        help="also build the first tree's project with BPF_CLANG=CLANG (in "
                             "<tree>/vm-builds/<clang>) and run its tests in the same boots")
    parser.add_argument("-L", "--label", default="bpf", help="the tests' ctest label (default: bpf)")
    parser.add_argument("-R", "--tests-regex", help="only the tests matching this regex (ctest -R)")
    parser.add_argument("-E", "--exclude-regex", help="not the tests matching this regex (ctest -E)")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds per kernel, boot to power-off (default: 1200)")
    parser.add_argument("--memory", type=int, default=2048, help="guest memory in MiB (default: 2048)")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="guest CPUs (default: all)")
    parser.add_argument("--cache", type=Path, help="kernel cache (default: BPFKIT_VM_CACHE, "
                        "$XDG_CACHE_HOME/bpfkit/kernels or ~/.cache/bpfkit/kernels)")
    parser.add_argument("--results", type=Path, help="results directory (default: <first tree>/vm-results)")
    parser.add_argument("--refresh", action="store_true", help="fetch the private package lists again")
    parser.add_argument("--fetch-only", action="store_true",
                        help="only download the kernels into the cache and print where they are")
    parser.add_argument("--when-asked", action="store_true",
                        help="skip (77) unless the ctest that runs this selected tests (-L vm, -R ...)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not echo the guest's console")
    parser.add_argument("ctest_args", nargs="*", metavar="-- CTEST-ARGS",
                        help="more arguments for the inner ctest")
    return parser.parse_args(argv)


def parse_builds(texts: list[str]) -> list[guest.Build]:
    builds = []
    for text in texts:
        directory, _, name = text.partition("=")
        path = Path(directory).resolve()
        if not (path / "CTestTestfile.cmake").is_file():
            raise UsageError(f"{directory} is not a configured build tree (no CTestTestfile.cmake)")
        clang = trees.read_cache(path).get("BPF_CLANG", ("", ""))[1]
        builds.append(guest.Build(name or (Path(clang).name if clang else path.name), path))
    return builds


def tool(environment_variable: str, name: str, hint: str, static: bool = False) -> str:
    path = os.environ.get(environment_variable) or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise Skipped(f"{name} not found ({hint}; or set {environment_variable})")
    if static and subprocess.run(["ldd", path], capture_output=True).returncode == 0:
        raise Skipped(f"{path} is not statically linked ({hint}; or set {environment_variable})")
    return path


class Report:
    def __init__(self):
        self.status = EXIT_OK

    def say(self, text: str = ""):
        print(f"kernel-matrix: {text}" if text else "kernel-matrix:", flush=True)

    def fail(self, status: int):
        self.status = max(self.status, status)


def seconds(value) -> str:
    return "-" if value is None else f"{value:.1f}s"


def run_kernel(spec, args, builds, cache, results_root, report: Report, tools_found):
    """Boots one kernel (or runs on the host) and reports; returns the summary line."""
    out = results_root / spec.name
    with locked(results_root / f".{spec.name}.lock"):
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        try:
            kernel = cache.kernel(spec)
        except MatrixError as error:
            report.say(f"error: {error}")
            report.fail(error.exit_status)
            results.write_junit(out / "junit.xml", spec.name, "?", [], str(error))
            return f"{spec.name}: ERROR {error}"
        report.say(f"=== kernel {kernel.label}: {kernel.source} ===")
        selection_ = guest.Selection(args.label, args.tests_regex, args.exclude_regex,
                                     max(1, args.cpus), args.ctest_args)
        (out / "guest.sh").write_text(guest.script(builds, selection_, spec.name))
        echo = None if args.quiet else (lambda line: print(f"[{spec.name}] {line}", flush=True))
        what = f"kernel {kernel.label}"
        if spec.kind == "host":
            env = {**os.environ, "BPFKIT_VM_OUT": str(out)}
            outcome = machine.run(["bash", str(out / "guest.sh")], out / "console.log", args.timeout,
                                  what, echo, env)
        else:
            qemu, busybox, accel = tools_found()
            initrd = out / "initrd.gz"
            initramfs.build(initrd, Path(busybox), HERE / "init", kernel.modules)
            command = machine.qemu_command(qemu, accel, kernel.vmlinuz, initrd, out, args.memory, args.cpus)
            outcome = machine.run(command, out / "console.log", args.timeout, what, echo)
        trees = [results.read_tree(out / build.name, build.name) for build in builds] \
            if outcome.tests_started is not None else []
        results.write_junit(out / "junit.xml", spec.name, kernel.release, trees, outcome.error)

    print_tests(report, spec.name, trees)
    timing = (f"boot {seconds(outcome.boot_seconds)}, tests {seconds(outcome.test_seconds)}, "
              f"shutdown {seconds(outcome.shutdown_seconds)}, total {seconds(outcome.exited)}")
    counts = " ".join(f"{status}={sum(t.count(status) for t in trees)}"
                      for status in ("passed", "failed", "skipped"))
    line = f"{kernel.label}: {counts}; {timing}"
    failures = [f"{tree.tree}/{test.name}" for tree in trees for test in tree.tests if test.status == "failed"]
    failures += [f"{tree.tree}: {tree.error}" for tree in trees if tree.error]
    if outcome.error:
        report.say(f"error: {outcome.error} (console: {out / 'console.log'})")
        line += f" ERROR: {outcome.error.splitlines()[0]}"
        report.fail(EXIT_FAILED)
    elif failures or any(tree.failed for tree in trees):
        line += " FAILED: " + (" ".join(failures) or "ctest exited with "
                               + ", ".join(str(t.ctest_status) for t in trees))
        report.fail(EXIT_FAILED)
    report.say(f"results of {spec.name}: {out / 'junit.xml'}")
    return line


def print_tests(report: Report, kernel_name: str, trees):
    for tree in trees:
        report.say(f"--- {kernel_name} / {tree.tree}: {len(tree.tests)} tests ---")
        width = max((len(test.name) for test in tree.tests), default=0)
        for test in tree.tests:
            detail = f"  ({test.detail})" if test.detail and test.status != "passed" else ""
            report.say(f"  {test.name:<{width}}  {test.status:<7} {test.seconds:6.2f}s{detail}")


def main(argv=None) -> int:
    report = Report()
    try:
        args = parse_arguments(argv)
        if args.when_asked:
            run, why = selection.requested()
            if not run:
                raise Skipped(why)
        if os.environ.get("BPFKIT_IN_VM"):
            raise Skipped("already inside a kernel-matrix guest")
        specs = kernels.parse_specs(args.kernel)
        cache = kernels.KernelCache((args.cache or kernels.default_cache()).resolve(), args.refresh,
                                    lambda text: report.say(text))
        found = {}

        def tools_found():
            if not found:
                if os.uname().machine != "x86_64":
                    raise Skipped("the kernel matrix boots x86-64 kernels: this host is "
                                  f"{os.uname().machine}")
                found["qemu"] = tool("BPFKIT_VM_QEMU", "qemu-system-x86_64", "apt-get install qemu-system-x86")
                found["busybox"] = tool("BPFKIT_VM_BUSYBOX", "busybox", "apt-get install busybox-static",
                                        static=True)
                found["accel"] = machine.accelerator(found["qemu"], report.say)
            return found["qemu"], found["busybox"], found["accel"]

        if args.fetch_only:
            for spec in specs:
                kernel = cache.kernel(spec)
                report.say(f"kernel {kernel.label}: {kernel.vmlinuz or 'the running kernel'} ({kernel.source})")
            return report.status
        if not args.build:
            raise UsageError("--build <tree> is required: the build tree whose tests run")
        builds = parse_builds(args.build)
        results_root = (args.results or builds[0].directory / "vm-results").resolve()
        if any(spec.kind != "host" for spec in specs):
            tools_found()
        started = time.monotonic()
        for clang in args.also_with:
            builds.append(trees.build_with(builds[0].directory, clang, report.say))
        if len({build.name for build in builds}) != len(builds):
            raise UsageError("two build trees have the same name: name them, --build DIR=NAME")
        summary = [run_kernel(spec, args, builds, cache, results_root, report, tools_found)
                   for spec in specs]
        report.say("=== summary ===")
        for build in builds:
            compiler = trees.compiler_of(build.directory)
            report.say(f"tree {build.name}: {build.directory}"
                       + (f", BPF objects built by {compiler}" if compiler else ""))
        for line in summary:
            report.say(f"  {line}")
        report.say(f"full run: {time.monotonic() - started:.1f}s for {len(specs)} kernel(s)")
        return report.status
    except MatrixError as error:
        prefix = "SKIP: " if isinstance(error, Skipped) else "error: "
        report.say(prefix + str(error))
        return error.exit_status
    except KeyboardInterrupt:
        report.say("interrupted")
        return 130
    except SystemExit:
        raise
    except Exception as error:  # a bug: say so in one line, with the exit status of one
        report.say(f"internal error: {type(error).__name__}: {error}")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
