"""Running the commands bench/run measures: wall time, peak memory, and an
error that names the step and shows the command's output when it fails."""
import os
import subprocess
import sys
import time
from dataclasses import dataclass


class BenchError(Exception):
    """A step failed: the benchmark cannot produce its figures."""


@dataclass
class Outcome:
    seconds: float
    returncode: int
    output: str


def clean_environment(extra=None):
    """The environment measured builds run in: no compiler launchers that
    the user's shell may set (CMake reads CMAKE_<LANG>_COMPILER_LAUNCHER from
    the environment), no make flags inherited from a calling make, and the C
    locale so that tool output parses the same everywhere."""
    env = dict(os.environ)
    for name in list(env):
        if (name.startswith("CMAKE_") and name.endswith("_COMPILER_LAUNCHER")) or \
                name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CCACHE_PREFIX", "NINJA_STATUS"):
            del env[name]
    env["LC_ALL"] = "C"
    env.update(extra or {})
    return env


ENV = clean_environment()


def run(command, *, what, cwd=None, env=None, check=True):
    """Runs command (a list), returns its Outcome. With check, a non-zero
    exit is a BenchError naming `what` with the output's tail."""
    start = time.perf_counter()
    process = subprocess.Popen([str(word) for word in command], cwd=cwd, env=env or ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    text = output.decode(errors="replace")
    if check and process.returncode != 0:
        tail = "\n".join(text.splitlines()[-40:])
        raise BenchError(f"{what} failed (exit {process.returncode}):\n"
                         f"  $ {' '.join(str(w) for w in command)}\n{tail}")
    return Outcome(seconds, process.returncode, text)


def cpu_seconds(command, *, what, cwd=None):
    """User+sys CPU seconds of one command (a list, or a shell line) and the
    processes it waited for; a non-zero exit is a BenchError."""
    shell = isinstance(command, str)
    process = subprocess.Popen(command if shell else [str(word) for word in command],
                               shell=shell, cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.stdout.close()
    returncode = os.waitstatus_to_exitcode(status)
    process.returncode = returncode  # reaped here: Popen must not think it still runs
    if returncode != 0:
        tail = "\n".join(output.decode(errors="replace").splitlines()[-40:])
        shown = command if shell else " ".join(str(word) for word in command)
        raise BenchError(f"{what} failed (exit {returncode}):\n  $ {shown}\n{tail}")
    return usage.ru_utime + usage.ru_stime


GNU_TIME = "/usr/bin/time"


def peak_memory_mib(command, *, what, scratch):
    """The peak resident memory of command (and the children it waits for),
    in MiB, as GNU time reports it. Not os.wait4 from here: a child forked
    from this Python process starts with Python's high-water mark, which
    ru_maxrss keeps across exec."""
    if not os.access(GNU_TIME, os.X_OK):
        raise BenchError(f"{GNU_TIME} (Debian package 'time') is needed to measure peak memory "
                         "(ci/install-deps.sh installs it)")
    report = scratch / "peak-memory.txt"
    run([GNU_TIME, "-f", "%M", "-o", report, *command], what=what)
    return int(report.read_text().split()[-1]) / 1024.0


def progress(text):
    """Progress goes to stderr; the report alone goes to stdout."""
    print(f"bench: {text}", file=sys.stderr, flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
