"""Build trees: which BPF compiler built each (for the report), and the same
project built again with another clang (--also-with), so that one boot per
kernel runs the objects of every toolchain.

The extra tree, <first tree>/vm-builds/<clang>, is configured from the first
tree's CMakeCache.txt: its source directory, generator and settings, less the
BPF compiler's and those that name the first tree; then `cmake --build`
brings it up to date (a no-op when nothing changed).
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .errors import MatrixError
from .guest import Build
from .locking import locked

CACHE_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.+-]*):([A-Z]+)=(.*)$")


def read_cache(build: Path) -> dict[str, tuple[str, str]]:
    """name -> (type, value) of a tree's CMakeCache.txt (empty when it has none)."""
    entries = {}
    try:
        text = (build / "CMakeCache.txt").read_text()
    except OSError:
        return entries
    for line in text.splitlines():
        match = CACHE_LINE.match(line)
        if match:
            entries[match.group(1)] = (match.group(2), match.group(3))
    return entries


def compiler_of(build: Path) -> str:
    """"<BPF_CLANG> (clang version X)" of a tree, or "" when it says none."""
    clang = read_cache(build).get("BPF_CLANG", ("", ""))[1]
    if not clang:
        return ""
    try:
        first = subprocess.run([clang, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        version = re.search(r"clang version (\S+)", first)
        return f"{clang} (clang {version.group(1)})" if version else clang
    except (OSError, IndexError):
        return clang


def initial_cache(entries: dict[str, tuple[str, str]], build: Path) -> str:
    """A `cmake -C` script with the settings of the tree at `build`."""
    lines = [f"# Written by bpfkit-kernel-matrix: the settings of {build}."]
    for name, (kind, value) in sorted(entries.items()):
        if kind in ("INTERNAL", "STATIC") or str(build) in value:
            continue
        if name == "BPF_CLANG" or name.startswith("CMAKE_BPF_") or name == "BPFKIT_TEST_KERNELS":
            continue
        kind = "STRING" if kind == "UNINITIALIZED" else kind
        lines.append(f'set({name} [==[{value}]==] CACHE {kind} "" FORCE)')
    return "\n".join(lines) + "\n"


def build_with(first: Path, clang: str, log) -> Build:
    """The project of `first`, configured and built with BPF_CLANG=clang."""
    entries = read_cache(first)
    source = entries.get("CMAKE_HOME_DIRECTORY", ("", ""))[1]
    generator = entries.get("CMAKE_GENERATOR", ("", ""))[1]
    if not source or not generator:
        raise MatrixError(f"{first}/CMakeCache.txt names no source directory or generator")
    cmake = entries.get("CMAKE_COMMAND", ("", "cmake"))[1]
    name = Path(clang).name
    directory = first / "vm-builds" / name
    with locked(first / "vm-builds" / f".{name}.lock"):
        directory.mkdir(parents=True, exist_ok=True)
        if not (directory / "CMakeCache.txt").exists():
            script = directory.parent / f"{name}.initial-cache.cmake"
            script.write_text(initial_cache(entries, first))
            log(f"configuring {directory} with BPF_CLANG={clang}")
            _run([cmake, "-S", source, "-B", str(directory), "-G", generator, "-C", str(script),
                  f"-DBPF_CLANG={clang}"], f"configuring the project with BPF_CLANG={clang}")
        log(f"building {directory}")
        jobs = str(os.cpu_count() or 1)
        _run([cmake, "--build", str(directory), "-j", jobs], f"building the project with BPF_CLANG={clang}")
    return Build(name, directory)


def _run(command: list[str], what: str):
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n    ".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise MatrixError(f"{what} failed (exit {result.returncode}):\n    {tail}")
