#!/usr/bin/env python3
"""Runs the shell blocks of a Markdown document, in order, and checks their output.

    run_markdown.py DOC --workdir DIR [--path DIR]... [--require-root] [--timeout S]

Every fenced block whose info string is `sh` runs as the user would type it:
in one shell session (the working directory and exported variables carry
from block to block), starting in DIR (emptied first), stopping at the first
block that fails. HTML comments, invisible when the document is rendered,
direct the run:

    <!-- test: skip -->          the next sh block is not run (e.g. installation)
    <!-- test: exit N -->        the next sh block must exit with status N (default 0)
    <!-- test: expect           after a sh block: each line is a regular expression
    REGEX                        that must match a line of that block's output, in
    -->                          order, and a line of the output the document shows
                                 for it (the next plain ``` block), so that the
                                 document never shows what the test does not check
    <!-- test: cleanup          commands run at the end, also after a failure
    COMMANDS                     (errors ignored): what a failed run would leave
    -->                          behind (pins, network namespaces)

Exit status: 0 when every block passed, 1 on the first failure (reported as
DOC:LINE: what went wrong, with the block's output), 77 with --require-root
when not root (a ctest skip), 2 on a malformed document or command line.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

DIRECTIVE = re.compile(r"<!--\s*test:\s*(\w+)(.*?)-->", re.S)
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")


class DocError(Exception):
    """A malformed document: exit status 2."""


class Block:
    def __init__(self, line, code):
        self.line = line          # 1-based line of the opening fence
        self.code = code
        self.skip = False
        self.exit = 0
        self.expect = []          # (line, regex)
        self.shown = None         # (line, text) of the output the document shows


def parse(path):
    """The document's sh blocks with their directives, and its cleanup commands."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, cleanup, pending = [], [], {}
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            marker, info = fence.group(1), fence.group(2)
            end = i + 1
            while end < len(lines) and not lines[end].startswith(marker):
                end += 1
            if end == len(lines):
                raise DocError(f"{path}:{i + 1}: code block is never closed")
            body = "\n".join(lines[i + 1:end])
            if info == "sh":
                block = Block(i + 1, body)
                block.skip = pending.pop("skip", False)
                block.exit = pending.pop("exit", 0)
                blocks.append(block)
            elif info in ("", "text") and blocks and blocks[-1].shown is None:
                blocks[-1].shown = (i + 1, body)
            i = end + 1
            continue
        if re.match(r"\s*<!--\s*test:", line):
            end = i
            while "-->" not in lines[end]:
                end += 1
                if end == len(lines):
                    raise DocError(f"{path}:{i + 1}: comment is never closed")
            text = "\n".join(lines[i:end + 1])
            directive = DIRECTIVE.search(text)
            if not directive:
                raise DocError(f"{path}:{i + 1}: cannot read this test directive")
            kind, arg = directive.group(1), directive.group(2)
            if kind == "skip":
                pending["skip"] = True
            elif kind == "exit":
                try:
                    pending["exit"] = int(arg.strip())
                except ValueError:
                    raise DocError(f"{path}:{i + 1}: 'test: exit' needs a number, not '{arg.strip()}'")
            elif kind == "expect":
                if not blocks:
                    raise DocError(f"{path}:{i + 1}: 'test: expect' before any sh block")
                for n, regex in enumerate(arg.split("\n")[1:], start=i + 2):
                    if regex.strip():
                        try:
                            re.compile(regex.strip())
                        except re.error as e:
                            raise DocError(f"{path}:{n}: bad regular expression: {e}")
                        blocks[-1].expect.append((n, regex.strip()))
            elif kind == "cleanup":
                cleanup.append(arg.split("\n", 1)[1] if "\n" in arg else arg)
            else:
                raise DocError(f"{path}:{i + 1}: unknown test directive '{kind}' "
                               "(skip, exit, expect, cleanup)")
            i = end + 1
            continue
        i += 1
    if pending:
        raise DocError(f"{path}: a '{next(iter(pending))}' directive is not followed by a sh block")
    return blocks, cleanup


class Session:
    """A shell session spread over processes: cwd and exports carry over."""

    def __init__(self, workdir, state_dir, env):
        self.cwd = workdir
        self.env_file = os.path.join(state_dir, "env")
        self.cwd_file = os.path.join(state_dir, "cwd")
        self.env = env
        open(self.env_file, "w").close()

    def run(self, code, timeout):
        script = (
            f"cd {shq(self.cwd)} && . {shq(self.env_file)}\n"
            f"trap 'rc=$?; pwd > {shq(self.cwd_file)}; "
            f"export -p | grep -v -E \"^declare -x (PWD|OLDPWD|SHLVL|_)=\" > {shq(self.env_file)}; "
            "exit $rc' EXIT\n"
            "set -eo pipefail\n" + code + "\n")
        try:
            done = subprocess.run(["bash", "-c", script], env=self.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout, stdin=subprocess.DEVNULL)
            output, status = done.stdout.decode(errors="replace"), done.returncode
        except subprocess.TimeoutExpired as e:
            output = (e.stdout or b"").decode(errors="replace") + f"\n[timed out after {timeout} s]"
            status = None
        if os.path.exists(self.cwd_file):
            with open(self.cwd_file) as f:
                self.cwd = f.read().strip() or self.cwd
        return status, output


def shq(text):
    return "'" + text.replace("'", "'\\''") + "'"


def check_block(doc, block, status, output):
    """The problems with one block's run, as DOC:LINE messages."""
    problems = []
    if status != block.exit:
        got = "timed out" if status is None else f"exited {status}"
        problems.append(f"{doc}:{block.line}: the block {got}, the document expects exit {block.exit}")
        return problems
    out_lines = output.split("\n")
    position = 0
    for line, regex in block.expect:
        pattern = re.compile(regex)
        for k in range(position, len(out_lines)):
            if pattern.search(out_lines[k]):
                position = k + 1
                break
        else:
            problems.append(f"{doc}:{line}: no line of the output (after line {position}) matches /{regex}/")
        if block.shown is None:
            problems.append(f"{doc}:{line}: the block's output is checked but the document shows none")
        elif not any(pattern.search(shown) for shown in block.shown[1].split("\n")):
            problems.append(f"{doc}:{block.shown[0]}: the output shown here has no line matching "
                            f"/{regex}/ (line {line}): the document and its test disagree")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("doc")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--path", action="append", default=[],
                        help="a directory put first on PATH (e.g. an installed bpfkit's bin/)")
    parser.add_argument("--require-root", action="store_true")
    parser.add_argument("--timeout", type=int, default=900, help="per block, in seconds")
    args = parser.parse_args()

    try:
        blocks, cleanup = parse(args.doc)
    except (DocError, OSError) as e:
        print(f"run_markdown: error: {e}", file=sys.stderr)
        return 2
    if args.require_root and os.geteuid() != 0:
        print(f"SKIP: {args.doc} needs root (it loads, pins and attaches BPF programs)")
        return 77

    workdir = os.path.abspath(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.abspath(p) for p in args.path] + [env.get("PATH", "")])
    failed = False
    with tempfile.TemporaryDirectory(prefix="run_markdown.") as state:
        session = Session(workdir, state, env)
        try:
            for block in blocks:
                if block.skip:
                    print(f"--- {args.doc}:{block.line}: skipped (test: skip)")
                    continue
                print(f"--- {args.doc}:{block.line}: $ " + block.code.replace("\n", "\n    $ "))
                status, output = session.run(block.code, args.timeout)
                print(output, end="" if output.endswith("\n") or not output else "\n")
                problems = check_block(args.doc, block, status, output)
                if problems:
                    print("\n".join("FAIL " + p for p in problems))
                    failed = True
                    break
        finally:
            for commands in cleanup:
                subprocess.run(["bash", "-c", commands], env=env, cwd=session.cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, timeout=120)
    if failed:
        return 1
    ran = sum(1 for b in blocks if not b.skip)
    print(f"{args.doc}: {ran} blocks ran, {sum(len(b.expect) for b in blocks)} output lines checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
