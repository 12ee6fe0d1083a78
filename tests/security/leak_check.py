#!/usr/bin/env python3
"""The suite's leak check: what bpfkit's tests leave in the kernel.

    leak_check.py snapshot STATE BUILD_DIR   (ctest security.leaks.before, first)
    leak_check.py check STATE BUILD_DIR      (ctest security.leaks.after, last)

The kernel is shared with other users and other runs of this suite, so the
check never compares global counts. It blames only what this build's tests
can have made and nobody holds any more:

- pins under the paths bpfkit's tests pin into (/sys/fs/bpf/bpfkit-*, and
  the pin root /sys/fs/bpf/bpfkit-test/<pid>-<test>) that were not there at
  the snapshot and whose owner process (the pid in the name) is gone;
- BPF programs, maps and links created after the snapshot (ids above its
  highest ones) whose names are those of the programs and maps in this build
  tree's BPF objects, held by no process (no fd in /proc/*/fd, directly or
  through a link or program that holds them) and pinned nowhere else;
- network namespaces named bpfkit-* (ip netns) that appeared since and whose
  pid is gone.

Exit 0 clean, 1 leaks found (each listed), 77 skipped (not root, no bpftool).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

BPFFS = "/sys/fs/bpf"
PIN_PREFIX = "bpfkit-"          # /sys/fs/bpf/bpfkit-test-cli-<case>-<pid>, bpfkit-sec-...
PIN_ROOT = BPFFS + "/bpfkit-test"  # bpfkit::testing's pin root: <pid>-<test>
NETNS_DIR = "/run/netns"
KERNEL_NAME_LEN = 15               # BPF_OBJ_NAME_LEN - 1


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(77)


def bpftool_list(bpftool, kind):
    out = subprocess.run([bpftool, "-j", "-f", kind, "show"], capture_output=True, text=True)
    if out.returncode != 0:
        return []
    try:
        return json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        return []


def owner_pid(path):
    """The pid a bpfkit test puts into its pin directory's name, or None."""
    name = os.path.basename(path)
    if os.path.dirname(path) == PIN_ROOT:
        m = re.match(r"(\d+)-", name)
    else:
        m = re.search(r"-(\d+)$", name)
    return int(m.group(1)) if m else None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def test_pin_dirs():
    """Every pin directory of bpfkit's tests, with its owner pid."""
    dirs = []
    if not os.path.isdir(BPFFS):
        return dirs
    for name in sorted(os.listdir(BPFFS)):
        path = os.path.join(BPFFS, name)
        if not name.startswith(PIN_PREFIX):
            continue
        if path == PIN_ROOT and os.path.isdir(path) and not os.path.islink(path):
            dirs += [os.path.join(path, n) for n in sorted(os.listdir(path))]
        else:
            dirs.append(path)
    return dirs


def netns_names():
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(PIN_PREFIX))
    except OSError:
        return []


def held_ids():
    """Ids of BPF objects some process holds an fd of: {"prog": set, ...}."""
    held = {"prog": set(), "map": set(), "link": set()}
    keys = {"prog_id": "prog", "map_id": "map", "link_id": "link"}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fdinfo")
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    for line in f:
                        key, _, value = line.partition(":")
                        if key in keys and value.strip().isdigit():
                            held[keys[key]].add(int(value))
            except OSError:
                continue
    return held


def elf_names(path):
    """Program (FUNC in an executable section other than .text) and map
    (OBJECT in .maps) symbol names of a BPF ELF object."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return set()
    endian = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(endian + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x3A)
    sections = []
    for i in range(shnum):
        name, kind, flags, _, offset, size, link, _, _, entsize = struct.unpack_from(
            endian + "IIQQQQIIQQ", data, shoff + i * shentsize)
        sections.append((name, kind, flags, offset, size, link, entsize))

    def string(table, offset):
        start = sections[table][3] + offset
        return data[start:data.index(b"\0", start)].decode(errors="replace")

    names = set()
    for _, kind, _, offset, size, link, entsize in sections:
        if kind != 2 or not entsize:  # SHT_SYMTAB
            continue
        for i in range(size // entsize):
            name, info, _, shndx, _, _ = struct.unpack_from(endian + "IBBHQQ", data, offset + i * entsize)
            if not name or shndx == 0 or shndx >= len(sections):
                continue
            section = string(shstrndx, sections[shndx][0])
            symbol = string(link, name)
            if (info & 0xF) == 2 and sections[shndx][2] & 0x4 and section != ".text":
                names.add(symbol[:KERNEL_NAME_LEN])
            elif (info & 0xF) == 1 and section == ".maps":
                names.add(symbol[:KERNEL_NAME_LEN])
    return names


def build_names(build_dir):
    names = set()
    for root, _, files in os.walk(build_dir):
        for file in files:
            if file.endswith(".bpf.o"):
                try:
                    names |= elf_names(os.path.join(root, file))
                except (OSError, struct.error, ValueError, IndexError):
                    continue
    return names


def snapshot(bpftool):
    return {
        "max_id": {kind: max([o.get("id", 0) for o in bpftool_list(bpftool, kind)] or [0])
                   for kind in ("prog", "map", "link")},
        "pins": test_pin_dirs(),
        "netns": netns_names(),
    }


def leaked_objects(bpftool, before, names):
    progs = bpftool_list(bpftool, "prog")
    maps = bpftool_list(bpftool, "map")
    links = bpftool_list(bpftool, "link")
    held = held_ids()

    def pinned_elsewhere(obj):
        # Pinned by something other than a dead test's directory: not ours to blame
        # (a dead test's pins are reported with the directory).
        for path in obj.get("pinned", []):
            owner = next((d for d in test_pin_dirs() if path.startswith(d + "/")), None)
            if owner is None or owner_pid(owner) is None or alive(owner_pid(owner)):
                return True
        return False

    # What live processes or foreign pins keep, and what those keep in turn.
    kept = {"prog": set(held["prog"]), "map": set(held["map"]), "link": set(held["link"])}
    for kind, objs in (("prog", progs), ("map", maps), ("link", links)):
        kept[kind] |= {o["id"] for o in objs if pinned_elsewhere(o)}
    for link in links:
        if link["id"] in kept["link"] and "prog_id" in link:
            kept["prog"].add(link["prog_id"])
    for prog in progs:
        if prog["id"] in kept["prog"]:
            kept["map"] |= set(prog.get("map_ids", []))

    prog_names = {p["id"]: p.get("name", "") for p in progs}
    leaks = []
    for kind, objs in (("prog", progs), ("map", maps), ("link", links)):
        for o in objs:
            name = o.get("name") if kind != "link" else prog_names.get(o.get("prog_id"), "")
            if o["id"] <= before["max_id"][kind] or o["id"] in kept[kind] or name not in names:
                continue
            where = ", pinned at " + ", ".join(o["pinned"]) if o.get("pinned") else ""
            # Unpinned, it may be one another test just closed: the kernel
            # frees it a grace period later (see find_leaks).
            leaks.append((f"{kind} id {o['id']} name {name}{where} (held by no process)",
                          not o.get("pinned")))
    return leaks


def find_leaks(bpftool, before, names):
    """What the tests left, as (text, may_vanish) pairs: an unpinned object
    nobody holds may be one a running test has just closed, which the kernel
    frees after an RCU grace period."""
    leaks = []
    for path in test_pin_dirs():
        pid = owner_pid(path)
        if path not in before["pins"] and pid is not None and not alive(pid):
            leaks.append((f"pin directory {path} (its test, pid {pid}, is gone)", False))
    for name in netns_names():
        m = re.search(r"-(\d+)$", name)
        if name not in before["netns"] and m and not alive(int(m.group(1))):
            leaks.append((f"network namespace {name} (ip netns)", False))
    return leaks + leaked_objects(bpftool, before, names)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("snapshot", "check"):
        print(__doc__)
        return 2
    mode, state, build_dir = sys.argv[1:]
    if os.environ.get("BPFKIT_IN_VM"):
        # A kernel-matrix guest's kernel is private and discarded with it (and
        # the host's snapshot, in the shared build tree, must stay the host's).
        if mode == "snapshot":
            print("leak check: inside a kernel-matrix guest; nothing to snapshot")
            return 0
        skip("inside a kernel-matrix guest: the leak check watches the host's shared kernel")
    missing = None
    bpftool = shutil.which("bpftool") or next(
        (p for p in ("/usr/sbin/bpftool", "/sbin/bpftool") if os.access(p, os.X_OK)), None)
    if os.geteuid() != 0:
        missing = "needs root to list the kernel's BPF objects"
    elif not bpftool:
        missing = "bpftool is not installed (ci/install-deps.sh installs it)"

    if mode == "snapshot":
        # Never fails: it is a setup test of the BPF tests' fixtures.
        with open(state, "w") as f:
            json.dump({"skipped": missing} if missing else snapshot(bpftool), f)
        print(f"leak check snapshot written to {state}" + (f" (check skipped: {missing})" if missing else ""))
        return 0
    if missing:
        skip(missing)

    try:
        with open(state) as f:
            before = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"leak check: no snapshot ({e}); run the whole suite (security.leaks.before runs first)")
        return 1
    if before.get("skipped"):
        skip(before["skipped"])
    names = build_names(build_dir)
    # Objects freed late are given up to 5 s; a real leak stays.
    deadline = time.monotonic() + 5
    leaks = find_leaks(bpftool, before, names)
    while any(may_vanish for _, may_vanish in leaks) and time.monotonic() < deadline:
        time.sleep(0.1)
        leaks = find_leaks(bpftool, before, names)
    leaks = [text for text, _ in leaks]
    if leaks:
        print(f"the tests left {len(leaks)} thing(s) behind:")
        for leak in leaks:
            print("  " + leak)
        print("find the test that made them (names above), fix its cleanup; remove them with "
              "bpfkit unpin DIR / rm -r PIN-DIR")
        return 1
    print("nothing left behind: no pins of finished tests under /sys/fs/bpf/bpfkit-*, no orphaned "
          "BPF programs, maps or links named like this build's objects, no bpfkit netns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
