"""One run of the guest: QEMU booting a kernel, or the guest script on the
host for the kernel "host"; its console watched line by line.

Every way a run can go wrong ends with an error naming the kernel, never a
hang: QEMU failing to start or to boot the image, a kernel panic, the
guest's /init reporting what it lacks, a guest that stops before the tests
end, and a run past its timeout (QEMU is killed; it also dies with the
runner, through PR_SET_PDEATHSIG, when ctest kills the runner).
"""
from __future__ import annotations

import ctypes
import os
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .guest import END_MARK, START_MARK

PANIC = re.compile(r"Kernel panic - not syncing:.*")
INIT_ERROR = re.compile(r"bpfkit-vm: error: (.*)")
KERNEL_COMMAND_LINE = "console=ttyS0 panic=-1 no_timer_check quiet loglevel=4 mitigations=off rdinit=/init"


@dataclass
class RunOutcome:
    """What happened; times in seconds from the start (None: not reached)."""

    error: str | None = None
    tests_started: float | None = None
    tests_ended: float | None = None
    exited: float = 0.0
    console_tail: list[str] = field(default_factory=list)

    @property
    def boot_seconds(self) -> float | None:
        return self.tests_started

    @property
    def test_seconds(self) -> float | None:
        if self.tests_started is None or self.tests_ended is None:
            return None
        return self.tests_ended - self.tests_started

    @property
    def shutdown_seconds(self) -> float | None:
        return None if self.tests_ended is None else self.exited - self.tests_ended


def _die_with_parent():
    """In the child: get SIGKILL when the runner dies (e.g. killed by ctest)."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.setpgrp()


ACCELERATORS = ("kvm", "tcg")
CPU = "max"   # what the guests run on; the KVM probe checks this very CPU


def accelerator(qemu: str, say, kvm_device: Path = Path("/dev/kvm")) -> str:
    """QEMU's accelerator: BPFKIT_VM_ACCEL (kvm, tcg, auto) or, by default,
    KVM where QEMU can run a CPU with it, else TCG. /dev/kvm alone is not
    enough: nested under some hypervisors KVM opens, then QEMU aborts
    setting up the CPU, so a paused QEMU is started once to see (~30 ms)."""
    chosen = os.environ.get("BPFKIT_VM_ACCEL", "auto") or "auto"
    if chosen in ACCELERATORS:
        return chosen
    if chosen != "auto":
        raise UsageError(f"BPFKIT_VM_ACCEL={chosen}: must be kvm, tcg or auto")
    if not os.access(kvm_device, os.R_OK | os.W_OK):
        return "tcg"
    try:
        probe = subprocess.run([qemu, "-accel", "kvm", "-cpu", CPU, "-S", "-nodefaults",
                                "-no-user-config", "-display", "none", "-serial", "none",
                                "-monitor", "stdio"],
                               input=b"quit\n", capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        say(f"{kvm_device} is there, but QEMU did not start with KVM within 60 s: using TCG")
        return "tcg"
    if probe.returncode == 0:
        return "kvm"
    errors = [line for line in probe.stderr.decode(errors="replace").splitlines() if line.strip()]
    why = errors[0] if errors else f"exit status {probe.returncode}"
    say(f"{kvm_device} is there, but QEMU cannot run a CPU with KVM ({why}): using TCG "
        "(BPFKIT_VM_ACCEL=kvm|tcg chooses)")
    return "tcg"


def qemu_command(qemu: str, accel: str, vmlinuz: Path, initrd: Path, results: Path, memory: int,
                 cpus: int) -> list[str]:
    return [qemu, "-accel", accel, "-cpu", CPU, "-smp", str(cpus), "-m", str(memory),
            "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
            "-kernel", str(vmlinuz), "-initrd", str(initrd), "-append", KERNEL_COMMAND_LINE,
            "-virtfs", "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
            "-virtfs", f"local,path={results},mount_tag=out,security_model=none"]


def run(command: list[str], console_log: Path, timeout: float, what: str,
        echo=None, env: dict | None = None) -> RunOutcome:
    """Runs command, its output into console_log (and echo(line) per line),
    until it exits or timeout seconds pass. what names the run in errors."""
    outcome = RunOutcome()
    started = time.monotonic()
    panic = init_error = None
    tail: list[str] = []
    with open(console_log, "wb") as log:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, env=env)
        except OSError as error:
            outcome.error = f"{what}: cannot start {command[0]}: {error.strerror}"
            return outcome
        pending = b""
        timed_out = False
        panicked_at = None
        stream = process.stdout
        while True:
            now = time.monotonic() - started
            if now >= timeout:
                timed_out = True
                break
            if panicked_at is not None and now - panicked_at > 10:
                break  # panic=-1 reboots, -no-reboot exits: give it a moment, no more
            ready, _, _ = select.select([stream], [], [], 0.5)
            if not ready:
                if process.poll() is not None and not _readable(stream):
                    break
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            log.write(chunk)
            log.flush()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").rstrip("\r")
                now = time.monotonic() - started
                tail = (tail + [line])[-20:]
                if echo:
                    echo(line)
                if line.startswith(START_MARK) and outcome.tests_started is None:
                    outcome.tests_started = now
                elif line.startswith(END_MARK):
                    outcome.tests_ended = now
                elif init_error is None and INIT_ERROR.search(line):
                    init_error = INIT_ERROR.search(line).group(1)
                elif panic is None and PANIC.search(line):
                    panic = PANIC.search(line).group(0)
                    panicked_at = now
        if timed_out or process.poll() is None:
            _stop(process)
        status = process.wait()
    outcome.exited = time.monotonic() - started
    outcome.console_tail = tail
    last = "; last console lines:\n    " + "\n    ".join(tail[-8:]) if tail else " (no console output)"
    if panic:
        outcome.error = f"{what} panicked: {panic}"
    elif init_error:
        outcome.error = f"{what}: {init_error}"
    elif timed_out:
        where = "during the tests" if outcome.tests_started is not None else "before the tests started"
        outcome.error = (f"{what} did not finish within the timeout of {timeout:.0f}s ({where}); "
                         f"stopped it{last}")
    elif outcome.tests_started is None:
        outcome.error = f"{what} did not boot (exit status {status}){last}"
    elif outcome.tests_ended is None:
        outcome.error = f"{what} stopped before the tests ended (exit status {status}){last}"
    return outcome


def _readable(stream) -> bool:
    ready, _, _ = select.select([stream], [], [], 0)
    return bool(ready)


def _stop(process: subprocess.Popen):
    """SIGTERM, then SIGKILL, to the whole process group of the run."""
    for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue
