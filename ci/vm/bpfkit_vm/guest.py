"""The script that runs the tests, inside the guest (chrooted into the
overlay over the host's root) or on the host for the kernel "host".

It runs ctest over each build tree, writes each tree's JUnit file and exit
status under $BPFKIT_VM_OUT/<tree name>/, and marks the start and the end
of the tests on the console for the runner's timing.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

START_MARK = "bpfkit-vm: tests start"
END_MARK = "bpfkit-vm: tests end"


@dataclass
class Build:
    """A configured and built tree whose BPF tests run in every kernel."""

    name: str
    directory: Path


@dataclass
class Selection:
    label: str = "bpf"
    include: str | None = None          # ctest -R
    exclude: str | None = None          # ctest -E
    jobs: int = 1
    ctest_args: list[str] = field(default_factory=list)


def script(builds: list[Build], selection: Selection, kernel_name: str) -> str:
    lines = [
        "#!/bin/bash",
        "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "export LANG=C.UTF-8 TERM=dumb",
        f"export BPFKIT_IN_VM=1 BPFKIT_VM_KERNEL={shlex.quote(kernel_name)}",
        'out=${BPFKIT_VM_OUT:-/run/bpfkit-vm}',
        # Result files and coverage tracefiles outlive the guest (bpf_coverage, bpf_report).
        'export BPFKIT_RESULTS_DIR="$out"/bpfkit-results BPFKIT_COVERAGE_DIR="$out"/bpfkit-coverage',
        "cd /",
        f"echo '{START_MARK}'",
    ]
    for build in builds:
        args = ["ctest", "--test-dir", str(build.directory), "-L", selection.label,
                "--output-on-failure", "-j", str(selection.jobs)]
        if selection.include:
            args += ["-R", selection.include]
        if selection.exclude:
            args += ["-E", selection.exclude]
        args += selection.ctest_args
        quoted = " ".join(shlex.quote(arg) for arg in args)
        name = shlex.quote(build.name)
        lines += [
            f'mkdir -p "$out"/{name}',
            f"echo 'bpfkit-vm: === {build.name}: {build.directory} ==='",
            f'{quoted} --output-junit "$out"/{name}/junit.xml </dev/null',
            f'echo $? >"$out"/{name}/ctest.rc',
        ]
    lines += [f"echo '{END_MARK}'", ""]
    return "\n".join(lines)
