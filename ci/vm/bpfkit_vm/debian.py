"""Debian's kernel packages through apt, never changing the system's apt.

A series the system's package lists carry (bookworm's 6.1 and 6.12 on a
bookworm host) comes from them. A series of another Debian release (5.10 is
bullseye's) comes through a private apt configuration kept in the cache: its
own sources.list naming that suite on the system's Debian mirror, its own
package lists and archive directory, passed with -o options so that the
system's sources, lists and caches are never read for it nor written.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from .errors import KernelUnavailable
from .locking import locked

# The Debian release whose kernel a series is; used when the system's own
# lists do not carry that series.
SUITE_OF_SERIES = {"5.10": "bullseye", "6.1": "bookworm", "6.12": "trixie"}
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
LISTS_MAX_AGE = 24 * 3600


def _system_source_entries(etc: Path = Path("/etc/apt")):
    """(uri, suites) of every enabled deb entry of the system's sources."""
    files = [etc / "sources.list"] + sorted((etc / "sources.list.d").glob("*"))
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.name.endswith(".list"):
            for line in text.splitlines():
                line = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
                if len(line) >= 3 and line[0] == "deb":
                    yield line[1], [line[2]]
        elif path.name.endswith(".sources"):
            for stanza in re.split(r"\n\s*\n", text):
                fields = {}
                for line in stanza.splitlines():
                    match = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                    if match and not line.startswith("#"):
                        fields[match.group(1).lower()] = match.group(2).split()
                if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                    for uri in fields.get("uris", []):
                        yield uri, fields.get("suites", [])


def debian_mirrors(etc: Path = Path("/etc/apt")) -> tuple[str, str]:
    """The Debian archive and security mirrors the system uses (or the defaults).

    BPFKIT_VM_DEBIAN_MIRROR overrides the archive; the security mirror is the
    system's, or the archive's URI with debian-security for debian.
    """
    archive = os.environ.get("BPFKIT_VM_DEBIAN_MIRROR")
    security = None
    for uri, suites in _system_source_entries(etc):
        uri = uri.rstrip("/")
        if any(suite.endswith("-security") for suite in suites):
            security = security or uri
        elif archive is None and uri.endswith("/debian"):
            archive = uri
    archive = (archive or DEFAULT_MIRROR).rstrip("/")
    if security is None or os.environ.get("BPFKIT_VM_DEBIAN_MIRROR"):
        security = re.sub(r"/debian$", "/debian-security", archive)
    return archive, security


class Apt:
    """apt-cache and apt-get download over one apt configuration."""

    def __init__(self, description: str, options: list[str] | None = None):
        self.description = description
        self.options = options or []

    def _run(self, tool: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        command = [tool, *self.options, *args]
        if tool == "apt-get" and os.geteuid() == 0:
            # The download directory is the cache's, not _apt's: download as root.
            command[1:1] = ["-o", "APT::Sandbox::User=root"]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True)

    def kernel_packages(self, series: str) -> list[str]:
        """Debian's generic amd64 kernel packages of a series, oldest first."""
        pattern = rf"^linux-image-{re.escape(series)}[.-].*-amd64-unsigned$"
        result = self._run("apt-cache", "search", "--names-only", pattern)
        names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
        names = [n for n in names if "-cloud-" not in n and "-rt-" not in n]
        return sorted(set(names), key=_version_key)

    def candidate_version(self, package: str) -> str | None:
        result = self._run("apt-cache", "show", "--no-all-versions", package)
        match = re.search(r"^Version: (\S+)", result.stdout, re.M)
        return match.group(1) if match else None

    def download(self, package: str, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        result = self._run("apt-get", "download", "-q", package, cwd=directory)
        debs = sorted(directory.glob("*.deb"))
        if result.returncode != 0 or not debs:
            errors = [line for line in (result.stderr + result.stdout).splitlines()
                      if line.startswith(("E:", "Err:"))] or result.stderr.splitlines()[-1:]
            raise KernelUnavailable(
                f"apt-get download {package} failed through {self.description}: "
                + " ".join(errors).strip())
        return debs[0]


def system_apt() -> Apt:
    return Apt("the system's apt sources")


def private_apt(cache: Path, suite: str, refresh: bool = False) -> Apt:
    """apt over Debian <suite> only, with lists and archives under <cache>/apt/<suite>.

    The lists are fetched when missing, older than a day or when refresh is
    asked; concurrent runs wait for one another.
    """
    root = cache / "apt" / suite
    archive, security = debian_mirrors()
    sources = (f"deb [signed-by={KEYRING}] {archive} {suite} main\n"
               f"deb [signed-by={KEYRING}] {security} {suite}-security main\n")
    options = ["-o", f"Dir::Etc::sourcelist={root / 'sources.list'}",
               "-o", "Dir::Etc::sourceparts=-",
               "-o", f"Dir::State::Lists={root / 'lists'}",
               "-o", f"Dir::Cache={root / 'cache'}",
               "-o", "APT::Get::List-Cleanup=0"]
    apt = Apt(f"Debian {suite} ({archive}, private apt configuration in {root})", options)
    (root / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (root / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    with locked(root / "update.lock"):
        stamp = root / "lists.updated"
        fresh = stamp.exists() and time.time() - stamp.stat().st_mtime < LISTS_MAX_AGE
        if (root / "sources.list").exists() and (root / "sources.list").read_text() != sources:
            fresh = False
        if refresh or not fresh:
            (root / "sources.list").write_text(sources)
            result = apt._run("apt-get", "update", "-q")
            if result.returncode != 0 or "Err:" in result.stdout:
                errors = [line for line in (result.stdout + result.stderr).splitlines()
                          if line.startswith(("E:", "Err:", "W:"))]
                if not stamp.exists():
                    raise KernelUnavailable(
                        f"cannot fetch Debian {suite}'s package lists from {archive}: "
                        + " ".join(errors[:3]))
                # Stale lists still name the packages the cache may already hold.
            else:
                stamp.touch()
    return apt


def _version_key(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
