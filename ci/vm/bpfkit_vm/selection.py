"""Whether ctest was asked for the kernel matrix.

A plain `ctest` runs every registered test; booting kernels under QEMU takes
minutes, so the vm.<kernel> tests run only when the ctest command that
started them selected tests (`ctest -L vm`, `-R vm.6.1`, `-I ...`): a
selection that still picked a vm test is a request for it. Otherwise they
report skipped, with the reason and the command that runs them.
BPFKIT_VM=1 runs them whatever the selection, BPFKIT_VM=0 never.
"""
from __future__ import annotations

import os
from pathlib import Path

SELECTING_OPTIONS = ("-L", "--label-regex", "-R", "--tests-regex", "-I", "--tests-information",
                     "--tests-from-file", "--rerun-failed")


def _command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [arg.decode(errors="replace") for arg in raw.split(b"\0") if arg]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def ctest_command_line() -> list[str] | None:
    """The command line of the nearest ctest among this process's ancestors."""
    pid = os.getppid()
    while pid > 1:
        args = _command_line(pid)
        if args and os.path.basename(args[0]) == "ctest":
            return args
        pid = _parent(pid)
    return None


_FROM_PROCESS_TREE = object()


def requested(environ=os.environ, ctest_args=_FROM_PROCESS_TREE) -> tuple[bool, str]:
    """(run?, why); ctest_args is the ctest command line (None: no ctest),
    read from the process tree unless given."""
    forced = environ.get("BPFKIT_VM", "")
    if forced in ("1", "ON", "on", "yes", "true"):
        return True, "BPFKIT_VM=1"
    if forced in ("0", "OFF", "off", "no", "false"):
        return False, "BPFKIT_VM=0 turns the kernel matrix off"
    args = ctest_command_line() if ctest_args is _FROM_PROCESS_TREE else ctest_args
    if args is None:
        return True, "run directly, not by ctest"
    for arg in args[1:]:
        if arg in SELECTING_OPTIONS:   # ctest takes their values as the next argument
            return True, f"ctest selected it ({arg})"
    return False, ("the kernel matrix boots kernels under QEMU and runs when asked: "
                   "`ctest -L vm` (or -R <its name>, or BPFKIT_VM=1 in the environment)")
