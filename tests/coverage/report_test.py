#!/usr/bin/env python3
"""report_test.py (errors|browser) --script bpf_report.py --work DIR

errors   bad inputs to bpf_report.py: the exit status, the message naming the
         file (and line), and no page left behind.
browser  a page made from results of two kernels, a baseline, coverage and
         programs, rendered in headless Chromium: its text checked through
         the DOM Chromium built, and a screenshot taken and checked.

Exit status 0 passed, 1 failed, 77 skipped (no Chromium).
"""
import argparse
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys

FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print(f"FAILED: {what}")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def result(test, kernel, outcome, programs, message="", duration=10.0):
    return json.dumps({"format": "bpfkit-test-result", "version": 1, "test": test, "kernel": kernel,
                       "machine": "host", "outcome": outcome, "message": message,
                       "duration_ms": duration, "programs": programs})


def make_inputs(work):
    """The inputs of a realistic report: host and one matrix kernel."""
    shutil.rmtree(work, ignore_errors=True)
    source = "/src/project/xdp_counter.bpf.c"
    write(f"{work}/results/xdp.count.json", result("xdp.count", "6.18.0-host", "passed", [
        {"object": "xdp_counter", "program": "count_packets", "verified_insns": 52,
         "coverage": {"taken": True, "verified_insns": 95}}], duration=21))
    write(f"{work}/results/xdp.repeat.json", result("xdp.repeat", "6.18.0-host", "failed", [
        {"object": "xdp_counter", "program": "count_packets", "verified_insns": 52}],
        message="PACKET_COUNTER[0]: expected 5, found 4"))
    write(f"{work}/results/limits.heavy.json", result("limits.heavy", "6.18.0-host", "passed", [
        {"object": "limits", "program": "heavy_loop", "verified_insns": 770010,
         "coverage": {"taken": False, "reason": "the verifier rejected it instrumented: BPF program is too large"}}]))
    write(f"{work}/vm-results/6.1/bpfkit-results/xdp.count.json", result("xdp.count", "6.1.0-28-amd64", "passed", [
        {"object": "xdp_counter", "program": "count_packets", "verified_insns": 61, "baseline_insns": 60}]))
    write(f"{work}/vm-results/6.1/bpfkit-results/limits.heavy.json",
          result("limits.heavy", "6.1.0-28-amd64", "skipped", [], message="needs Linux 6.5"))
    write(f"{work}/baseline.csv", "object,program,verified_insns\nxdp_counter,count_packets,50\n"
                                  "limits,heavy_loop,770010\n")
    write(f"{work}/baselines.txt", f"{work}/baseline.csv\n{work}/not-created-yet.csv\n")
    write(f"{work}/programs.json", json.dumps({"format": "bpfkit-coverage-programs", "version": 1, "programs": [
        {"object": "xdp_counter", "object_path": "/b/xdp_counter.bpf.o", "program": "count_packets",
         "section": "xdp", "insns": 30, "instrumented_insns": 69, "functions": ["count_packets"],
         "left_plain": [], "lines": {source: [14, 15, 16]}},
        {"object": "xdp_counter", "object_path": "/b/xdp_counter.bpf.o", "program": "never_run",
         "section": "xdp", "insns": 6, "instrumented_insns": 10, "functions": ["never_run"],
         "left_plain": [], "lines": {source: [30, 31]}}]}))
    write(f"{work}/bpf-coverage.info", f"TN:xdp_count\nSF:{source}\nDA:14,5\nDA:15,5\nDA:16,0\nDA:30,0\nDA:31,0\n"
                                       "LF:5\nLH:2\nend_of_record\n")
    write(f"{work}/bpf-coverage/index.html", "<html>coverage</html>")
    write(f"{work}/bpf-coverage/src/project/xdp_counter.bpf.c.gcov.html", "<html>source</html>")


def run_report(script, work, extra=(), output=None):
    if output is None:
        output = f"{work}/out/bpf-report.html"
        os.makedirs(os.path.dirname(output), exist_ok=True)
    command = [sys.executable, script, "--output", output, "--title", "demo project",
               "--results", f"{work}/results", "--matrix", f"{work}/vm-results",
               "--baselines", f"{work}/baselines.txt", "--coverage", f"{work}/bpf-coverage.info",
               "--coverage-html", f"{work}/bpf-coverage", "--programs", f"{work}/programs.json", *extra]
    return subprocess.run(command, capture_output=True, text=True), output


def errors(script, work):
    cases = [
        ("results/broken.json", "{\"format\": ", 3, "broken.json:1: not JSON"),
        ("results/other.json", json.dumps({"format": "something", "version": 1}), 3,
         "other.json: not a bpfkit-test-result file (its \"format\" is \"something\")"),
        ("results/future.json", json.dumps({"format": "bpfkit-test-result", "version": 2}), 3,
         "future.json: bpfkit-test-result version 2 is not supported (this bpf_report reads version 1)"),
        ("results/outcome.json", result("t", "6.1", "crashed", []), 3,
         "outcome.json: \"outcome\" is \"crashed\", not one of passed, failed, skipped"),
        ("results/insns.json", result("t", "6.1", "passed", [{"object": "o", "program": "p", "verified_insns": -1}]),
         3, "insns.json: \"verified_insns\" of o/p must be a whole number"),
        ("baseline.csv", "object,program\n", 3, "baseline.csv:1: not a verifier baseline"),
        ("baseline.csv", "object,program,verified_insns\no,p,many\n", 3,
         "baseline.csv:2: expected object,program,verified_insns, found o,p,many"),
        ("bpf-coverage.info", "DA:1,1\n", 3, "bpf-coverage.info:1: a DA record outside SF"),
        ("programs.json", "[]", 3, "programs.json: not a bpfkit-coverage-programs file"),
    ]
    for relative, content, status, message in cases:
        make_inputs(work)
        write(f"{work}/{relative}", content)
        done, output = run_report(script, work)
        check(done.returncode == status, f"{relative}: exit status {done.returncode}, expected {status}")
        check(message in done.stderr, f"{relative}: message {done.stderr.strip()!r} lacks {message!r}")
        check(not os.path.exists(output), f"{relative}: a page was written despite the error")
        os.makedirs(os.path.dirname(output), exist_ok=True)
        check(not any(n.endswith(".tmp") for n in os.listdir(os.path.dirname(output))),
              f"{relative}: a temporary file was left behind")
    make_inputs(work)
    done, _ = run_report(script, work, output=f"{work}/missing/dir/report.html")
    check(done.returncode == 3 and "the directory" in done.stderr and "does not exist" in done.stderr,
          f"output in a missing directory: {done.returncode} {done.stderr.strip()!r}")
    done = subprocess.run([sys.executable, script], capture_output=True, text=True)
    check(done.returncode == 2 and "--output" in done.stderr, "usage error without --output")
    # Nothing at all yet: a page that says so, not an error.
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    done = subprocess.run([sys.executable, script, "--output", f"{work}/empty.html", "--results", f"{work}/none"],
                          capture_output=True, text=True)
    check(done.returncode == 0, f"empty inputs: exit {done.returncode}: {done.stderr}")
    with open(f"{work}/empty.html", encoding="utf-8") as f:
        page = f.read()
    check("No test results yet" in page and "not measured" in page, "empty inputs: the page says what is missing")


class Dom(html.parser.HTMLParser):
    """Text by element id, rows of tables, links and SVG titles of the DOM."""

    def __init__(self):
        super().__init__()
        self.stack, self.text_by_id, self.rows, self.links, self.svg_titles = [], {}, {}, [], []
        self.row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append((tag, attrs.get("id")))
        if tag == "tr" and attrs.get("data-program"):
            self.row = attrs["data-program"]
            self.rows[self.row] = ""
        if tag == "a":
            self.links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "tr":
            self.row = None

    def handle_data(self, data):
        # Text nodes of different elements read as separate words.
        for _, element_id in self.stack:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + " " + data
        if self.row:
            self.rows[self.row] += " " + data
        if self.stack and self.stack[-1][0] == "title" and any(t == "svg" for t, _ in self.stack):
            self.svg_titles.append(data)


def chromium_command():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser(script, work):
    chromium = chromium_command()
    if not chromium:
        print("bpfkit-test-skip: no Chromium (apt-get install chromium)")
        return 77
    make_inputs(work)
    done, output = run_report(script, work)
    check(done.returncode == 0, f"bpf_report failed: {done.stderr}")
    if done.returncode != 0:
        return 1
    with open(output, encoding="utf-8") as f:
        page = f.read()
    check("http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page,
          "the page refers to the network")
    check("<script" not in page and "<link" not in page, "the page loads nothing")

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={work}/chromium-profile"]
    url = "file://" + os.path.abspath(output)
    dom_run = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    check(dom_run.returncode == 0, f"chromium --dump-dom exited {dom_run.returncode}: {dom_run.stderr[-500:]}")
    dom = Dom()
    dom.feed(dom_run.stdout)
    title = dom.text_by_id.get("title", "").strip()
    check(title == "demo project — BPF report", f"title: {title!r}")
    summary = " ".join(dom.text_by_id.get("summary", "").split())
    check("3 / 1 / 1 passed / failed / skipped" in summary, f"summary: {summary!r}")
    check("1 over their baseline" in summary, f"summary: {summary!r}")
    check("40.0% 2 of 5 lines" in summary, f"coverage card: {summary!r}")
    row = " ".join(dom.rows.get("xdp_counter/count_packets", "").split())
    check("52 +2 (+4.0%)" in row, f"host count against the CSV baseline: {row!r}")
    check("61 +1 (+1.7%)" in row, f"6.1 count against that kernel's own baseline: {row!r}")
    check("67% (2/3 lines)" in row, f"program coverage: {row!r}")
    check("30 → 69 insns (+130%)" in row, f"static instrumentation cost: {row!r}")
    check("verified 52 → 95 on host 6.18.0-host" in row, f"verified instrumentation cost: {row!r}")
    heavy = " ".join(dom.rows.get("limits/heavy_loop", "").split())
    check("BPF program is too large" in heavy, f"why coverage was not taken: {heavy!r}")
    never = " ".join(dom.rows.get("xdp_counter/never_run", "").split())
    check("0% (0/2 lines)" in never, f"a program no test ran: {never!r}")
    check(any(l.endswith("bpf-coverage/src/project/xdp_counter.bpf.c.gcov.html#14") for l in dom.links),
          f"link into the coverage report: {dom.links}")
    check(any(l.endswith("bpf-coverage/index.html") for l in dom.links), "link to the coverage report's index")
    tests = " ".join(dom.text_by_id.get("tests", "").split())
    check(tests.startswith("Test host 6.18.0-host 6.1 VM (6.1.0-28-amd64) xdp.repeat failed"),
          f"failures first: {tests[:120]!r}")
    check("PACKET_COUNTER[0]: expected 5, found 4" in tests, "the failure's message")
    check("skipped 10 ms needs Linux 6.5" in tests, f"the skip's reason: {tests!r}")
    check("xdp_counter/count_packets on 6.1 VM (6.1.0-28-amd64): 61 instructions" in dom.svg_titles,
          f"chart bars: {dom.svg_titles}")
    check("baseline 60" in dom.svg_titles and "baseline 50" in dom.svg_titles, f"baseline ticks: {dom.svg_titles}")

    shot = f"{work}/bpf-report.png"
    shot_run = subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1280,1400", url],
                              capture_output=True, text=True, timeout=180)
    check(shot_run.returncode == 0 and os.path.exists(shot), f"chromium --screenshot: {shot_run.stderr[-500:]}")
    if os.path.exists(shot):
        with open(shot, "rb") as f:
            png = f.read()
        check(png[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG")
        width, height = struct.unpack(">II", png[16:24])
        check((width, height) == (1280, 1400), f"screenshot size {width}x{height}")
        check(len(png) > 30000, f"a {len(png)}-byte screenshot is too small to show the page")
        print(f"screenshot: {shot}")
    return 1 if FAILURES else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["errors", "browser"])
    parser.add_argument("--script", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    if args.check == "errors":
        errors(args.script, args.work)
        status = 1 if FAILURES else 0
    else:
        status = browser(args.script, args.work)
    print("passed" if status == 0 else ("skipped" if status == 77 else f"{len(FAILURES)} check(s) failed"))
    return status


if __name__ == "__main__":
    sys.exit(main())
