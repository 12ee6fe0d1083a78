#!/usr/bin/env python3
"""bpf_report.py: one self-contained HTML page about a build tree's BPF programs.

    bpf_report.py --output bpf-report.html [--title NAME]
                  [--results DIR]... [--matrix DIR]
                  [--baseline FILE.csv]... [--baselines LIST]
                  [--coverage bpf-coverage.info] [--coverage-html DIR]
                  [--programs programs.json]

For each program: the instructions the verifier processed on every kernel
the tests ran on, against its baseline with the delta; the tests' results;
line coverage with a link into genhtml's report; what instrumenting it
costs; and a chart of instructions per program per kernel. No network: the
styles and the chart (SVG) are inline. Run by the bpf_report target
(BpfCoverage.cmake), which passes the build tree's paths.

Inputs (all optional; what is missing is shown as missing):
  --results DIR   test results of the host, one JSON file per test run
                  (format "bpfkit-test-result", version 1; see docs/coverage.md)
  --matrix DIR    ci/kernel-matrix.sh's results: DIR/<series>/bpfkit-results/*.json
  --baseline CSV  bpf_verifier_baseline's file: object,program,verified_insns
  --baselines F   a file listing baseline CSVs, one per line (from CMake)
  --coverage F    the merged lcov tracefile (bpf_coverage's bpf-coverage.info)
  --coverage-html genhtml's report directory (bpf_coverage's bpf-coverage/)
  --programs F    each program's lines and instrumentation cost (bpf_coverage
                  writes it: bpfkit-coverage initial --programs)

Exit status: 0 written, 2 usage, 3 bad input (the message names the file).
"""
import argparse
import csv
import datetime
import html
import json
import os
import sys
import tempfile

RESULT_FORMAT = "bpfkit-test-result"
PROGRAMS_FORMAT = "bpfkit-coverage-programs"
OUTCOMES = ("passed", "failed", "skipped")
PALETTE = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"]


class BadInput(Exception):
    """An input file that cannot be used; the message names it."""


# --- reading ------------------------------------------------------------------

def read_json(path, expected_format):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}")
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}:{e.lineno}: not JSON: {e.msg}")
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise BadInput(f"{path}: not a {expected_format} file (its \"format\" is "
                       f"{json.dumps(data.get('format')) if isinstance(data, dict) else 'missing'})")
    if data.get("version") != 1:
        raise BadInput(f"{path}: {expected_format} version {data.get('version')} is not supported "
                       "(this bpf_report reads version 1)")
    return data


def check_result(path, r):
    """Raises BadInput unless `r` is a usable test result."""
    for key in ("test", "kernel", "outcome"):
        if not isinstance(r.get(key), str) or not r[key]:
            raise BadInput(f"{path}: \"{key}\" must be a non-empty string")
    if r["outcome"] not in OUTCOMES:
        raise BadInput(f"{path}: \"outcome\" is {json.dumps(r['outcome'])}, not one of {', '.join(OUTCOMES)}")
    programs = r.get("programs", [])
    if not isinstance(programs, list):
        raise BadInput(f"{path}: \"programs\" must be a list")
    for p in programs:
        if not isinstance(p, dict) or not isinstance(p.get("object"), str) or not isinstance(p.get("program"), str):
            raise BadInput(f"{path}: every entry of \"programs\" needs \"object\" and \"program\"")
        for key in ("verified_insns", "baseline_insns"):
            if key in p and not (isinstance(p[key], int) and p[key] >= 0):
                raise BadInput(f"{path}: \"{key}\" of {p['object']}/{p['program']} must be a whole number")


def read_results(directory, machine):
    """Test results under `directory`, each tagged with where it ran."""
    results = []
    if not directory or not os.path.isdir(directory):
        return results
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(directory, name)
        r = read_json(path, RESULT_FORMAT)
        check_result(path, r)
        r["_machine"] = machine
        r["_path"] = path
        results.append(r)
    return results


def read_baselines(paths):
    """{(object, program): verified_insns} from bpf_verifier_baseline files."""
    baselines = {}
    for path in paths:
        if not os.path.exists(path):
            continue  # a baseline not created yet (its _update target writes it)
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if not rows or [c.strip() for c in rows[0]] != ["object", "program", "verified_insns"]:
            raise BadInput(f"{path}:1: not a verifier baseline (the header must be object,program,verified_insns)")
        for number, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != 3 or not row[2].strip().isdigit():
                raise BadInput(f"{path}:{number}: expected object,program,verified_insns, found {','.join(row)}")
            baselines[(row[0].strip(), row[1].strip())] = int(row[2])
    return baselines


def read_lcov(path):
    """{source file: {line: count}} from an lcov tracefile, summed over tests."""
    lines = {}
    if not path or not os.path.exists(path):
        return None
    current = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, text in enumerate(f, start=1):
            text = text.strip()
            if text.startswith("SF:"):
                current = lines.setdefault(text[3:], {})
            elif text.startswith("DA:"):
                if current is None:
                    raise BadInput(f"{path}:{number}: a DA record outside SF ... end_of_record")
                fields = text[3:].split(",")
                try:
                    line, count = int(fields[0]), int(fields[1])
                except (ValueError, IndexError):
                    raise BadInput(f"{path}:{number}: DA is not DA:<line>,<count>: {text}")
                current[line] = current.get(line, 0) + count
            elif text == "end_of_record":
                current = None
    return lines


# --- the model ----------------------------------------------------------------

class Kernel:
    """One column: a kernel the tests ran on, on the host or in the matrix."""

    def __init__(self, release, machine):
        self.release, self.machine = release, machine

    @property
    def key(self):
        return (self.machine != "host", self.machine, self.release)

    @property
    def label(self):
        return f"host {self.release}" if self.machine == "host" else f"{self.machine} VM ({self.release})"


def build_model(results, baselines, programs_file, coverage):
    kernels = {}
    for r in results:
        kernels.setdefault((r["_machine"], r["kernel"]), Kernel(r["kernel"], r["_machine"]))
    kernels = sorted(kernels.values(), key=lambda k: k.key)

    programs = {}  # (object, program) -> facts

    def entry(obj, prog):
        return programs.setdefault((obj, prog), {
            "verified": {}, "baseline": {}, "counted_verified": {}, "coverage_notes": set(),
            "static": None, "lines": None, "left_plain": []})

    for r in results:
        k = (r["_machine"], r["kernel"])
        for p in r.get("programs", []):
            e = entry(p["object"], p["program"])
            if "verified_insns" in p:
                e["verified"][k] = max(e["verified"].get(k, 0), p["verified_insns"])
            if "baseline_insns" in p:
                e["baseline"][k] = p["baseline_insns"]
            cov = p.get("coverage")
            if isinstance(cov, dict):
                if cov.get("taken") is False and cov.get("reason"):
                    e["coverage_notes"].add(cov["reason"])
                if isinstance(cov.get("verified_insns"), int):
                    e["counted_verified"][k] = max(e["counted_verified"].get(k, 0), cov["verified_insns"])
    for (obj, prog), value in baselines.items():
        entry(obj, prog)["csv_baseline"] = value
    if programs_file:
        for p in programs_file["programs"]:
            e = entry(p["object"], p["program"])
            e["static"] = (p["insns"], p["instrumented_insns"])
            e["lines"] = {f: set(ls) for f, ls in p.get("lines", {}).items()}
            e["left_plain"] = p.get("left_plain", [])
    for e in programs.values():
        e["coverage"] = None
        if coverage is not None and e["lines"] is not None:
            hit = total = 0
            first = None
            for f, ls in sorted(e["lines"].items()):
                counts = coverage.get(f, {})
                total += len(ls)
                hit += sum(1 for line in ls if counts.get(line, 0) > 0)
                if ls and first is None:
                    first = (f, min(ls))
            e["coverage"] = (hit, total, first)

    tests = {}
    for r in results:
        tests.setdefault(r["test"], {})[(r["_machine"], r["kernel"])] = r
    return kernels, programs, tests


def baseline_of(e, kernel_key):
    return e["baseline"].get(kernel_key, e.get("csv_baseline"))


# --- writing ------------------------------------------------------------------

def esc(text):
    return html.escape(str(text), quote=True)


def delta_cell(value, base):
    if value is None:
        return '<td class="num missing">&ndash;</td>'
    if base is None:
        return f'<td class="num">{value:,}</td>'
    diff = value - base
    pct = 100.0 * diff / base if base else 0.0
    cls = "grew" if diff > 0 else ("shrank" if diff < 0 else "same")
    sign = "+" if diff > 0 else ""
    return (f'<td class="num {cls}">{value:,} <span class="delta">{sign}{diff:,} '
            f'({sign}{pct:.1f}%)</span></td>')


def coverage_link(coverage_html, output, source, line):
    page = os.path.join(coverage_html, source.lstrip("/") + ".gcov.html")
    if not os.path.exists(page):
        return None
    return os.path.relpath(page, os.path.dirname(os.path.abspath(output))) + f"#{line}"


def chart_svg(kernels, programs):
    """Horizontal bars: per program one bar per kernel, a tick at the baseline.

    Each program's bars share its own scale (its largest count or baseline
    spans the width): programs differ by orders of magnitude, and what the
    chart shows is how one program's cost moves between kernels.
    """
    rows = [(key, e) for key, e in sorted(programs.items()) if e["verified"]]
    if not rows or not kernels:
        return '<p class="missing">No verified-instruction counts yet: run the BPF tests (ctest).</p>'
    bar, gap, label_w, width = 12, 10, 260, 920
    plot_w = width - label_w - 90
    top = 28 + 18 * ((len(kernels) + 2) // 3)
    height = top + len(rows) * (len(kernels) * bar + gap) + 10
    out = [f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="Verified instructions per program per kernel">']
    for i, k in enumerate(kernels):
        x, y = label_w + (i % 3) * 220, 14 + 18 * (i // 3)
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{x + 18}" y="{y}" class="legend">{esc(k.label)}</text>')
    y = top
    for (obj, prog), e in rows:
        block = len(kernels) * bar
        peak = max([*e["verified"].values()] +
                   [baseline_of(e, (k.machine, k.release)) or 0 for k in kernels])
        scale = plot_w / peak if peak else 1
        out.append(f'<text x="{label_w - 8}" y="{y + block / 2 + 4}" text-anchor="end" class="label">'
                   f'{esc(obj)}/{esc(prog)}</text>')
        for i, k in enumerate(kernels):
            value = e["verified"].get((k.machine, k.release))
            if value is None:
                continue
            w = max(1.0, value * scale)
            out.append(f'<rect x="{label_w}" y="{y + i * bar}" width="{w:.1f}" height="{bar - 2}" '
                       f'fill="{PALETTE[i % len(PALETTE)]}"><title>{esc(obj)}/{esc(prog)} on {esc(k.label)}: '
                       f'{value:,} instructions</title></rect>'
                       f'<text x="{label_w + w + 4:.1f}" y="{y + i * bar + bar - 3}" class="value">{value:,}</text>')
            base = baseline_of(e, (k.machine, k.release))
            if base:
                bx = label_w + base * scale
                out.append(f'<line x1="{bx:.1f}" y1="{y + i * bar - 1}" x2="{bx:.1f}" y2="{y + (i + 1) * bar - 1}" '
                           f'class="base"><title>baseline {base:,}</title></line>')
        y += block + gap
    out.append("</svg>")
    return "".join(out)


STYLE = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a202c;
       margin: 0; background: #f7fafc; }
header { background: #1a365d; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; } header p { margin: 4px 0 0; opacity: .8; }
main { padding: 8px 32px 40px; max-width: 1200px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 2px solid #e2e8f0; padding-bottom: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; min-width: 180px; }
.card .big { font-size: 24px; font-weight: 600; } .card .small { color: #4a5568; font-size: 12px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #e2e8f0; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid #edf2f7; text-align: left; vertical-align: top; }
th { background: #edf2f7; font-weight: 600; font-size: 13px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.delta { font-size: 12px; color: #4a5568; } .grew .delta { color: #c53030; font-weight: 600; }
.shrank .delta { color: #2f855a; } .missing { color: #a0aec0; }
.passed { color: #2f855a; font-weight: 600; } .failed { color: #c53030; font-weight: 600; }
.skipped { color: #b7791f; font-weight: 600; } .note { color: #4a5568; font-size: 12px; }
.bar { display: inline-block; height: 8px; background: #e2e8f0; width: 80px; border-radius: 4px;
       vertical-align: middle; margin-right: 6px; } .bar span { display: block; height: 8px;
       background: #38a169; border-radius: 4px; }
svg text.label { font-size: 12px; fill: #2d3748; } svg text.value { font-size: 10px; fill: #4a5568; }
svg text.legend { font-size: 12px; fill: #2d3748; } svg line.base { stroke: #1a202c; stroke-width: 2; }
a { color: #2b6cb0; }
"""


def render(args, kernels, programs, tests, coverage, coverage_html_exists):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    counts = {o: 0 for o in OUTCOMES}
    for runs in tests.values():
        for r in runs.values():
            counts[r["outcome"]] += 1
    grown = sum(1 for e in programs.values()
                if any(baseline_of(e, k) is not None and v > baseline_of(e, k) for k, v in e["verified"].items()))
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{esc(args.title)} — BPF report</title>", f"<style>{STYLE}</style></head><body>",
           f'<header><h1 id="title">{esc(args.title)} — BPF report</h1>'
           f'<p>Generated {now} from {len(tests)} test{"s" if len(tests) != 1 else ""} on '
           f'{len(kernels)} kernel{"s" if len(kernels) != 1 else ""}</p></header><main>']

    # Summary cards.
    out.append('<div class="cards" id="summary">')
    out.append(f'<div class="card"><div class="small">Test runs</div><div class="big">'
               f'<span class="passed">{counts["passed"]}</span> / <span class="failed">{counts["failed"]}</span>'
               f' / <span class="skipped">{counts["skipped"]}</span></div>'
               f'<div class="small">passed / failed / skipped</div></div>')
    out.append(f'<div class="card"><div class="small">Programs</div><div class="big">{len(programs)}</div>'
               f'<div class="small">{grown} over their baseline</div></div>')
    if coverage is not None:
        found = sum(len(ls) for ls in coverage.values())
        hit = sum(1 for ls in coverage.values() for c in ls.values() if c > 0)
        pct = 100.0 * hit / found if found else 0.0
        link = ""
        if coverage_html_exists:
            rel = os.path.relpath(os.path.join(args.coverage_html, "index.html"),
                                  os.path.dirname(os.path.abspath(args.output)))
            link = f'<div class="small"><a id="coverage-link" href="{esc(rel)}">open the coverage report</a></div>'
        out.append(f'<div class="card" id="coverage-card"><div class="small">Line coverage</div>'
                   f'<div class="big">{pct:.1f}%</div><div class="small">{hit} of {found} lines</div>{link}</div>')
    else:
        out.append('<div class="card" id="coverage-card"><div class="small">Line coverage</div>'
                   '<div class="big missing">not measured</div><div class="small">configure with '
                   '-DBPFKIT_COVERAGE=ON, run ctest, build bpf_coverage</div></div>')
    out.append("</div>")

    # Programs table.
    out.append('<h2>Verified instructions per program</h2>')
    out.append('<p class="note">The instructions the verifier processed (bpf_prog_info.verified_insns) '
               'on each kernel, against the baseline (bpf_verifier_baseline) with the change.</p>')
    out.append('<table id="programs"><thead><tr><th>Program</th><th>Baseline</th>')
    for k in kernels:
        out.append(f"<th>{esc(k.label)}</th>")
    out.append("<th>Coverage</th><th>Instrumentation cost</th></tr></thead><tbody>")
    # Programs the tests loaded first, then the others (known from baselines
    # and coverage only).
    for (obj, prog), e in sorted(programs.items(), key=lambda item: (not item[1]["verified"], item[0])):
        bases = {baseline_of(e, (k.machine, k.release)) for k in kernels} - {None}
        base_text = (f"{next(iter(bases)):,}" if len(bases) == 1 else
                     ", ".join(f"{b:,}" for b in sorted(bases)) if bases else
                     (f'{e["csv_baseline"]:,}' if "csv_baseline" in e else '<span class="missing">none</span>'))
        out.append(f'<tr data-program="{esc(obj)}/{esc(prog)}"><td><b>{esc(prog)}</b> '
                   f'<span class="note">{esc(obj)}</span></td><td class="num">{base_text}</td>')
        for k in kernels:
            key = (k.machine, k.release)
            out.append(delta_cell(e["verified"].get(key), baseline_of(e, key)))
        if e["coverage"] is not None and e["coverage"][1] > 0:
            hit, total, first = e["coverage"]
            pct = 100.0 * hit / total if total else 0.0
            text = f'<span class="bar"><span style="width:{pct:.0f}%"></span></span>{pct:.0f}% ({hit}/{total} lines)'
            link = coverage_link(args.coverage_html, args.output, *first) if first else None
            cell = f'<a href="{esc(link)}">{text}</a>' if link else text
        else:
            cell = '<span class="missing">not measured</span>'
        notes = sorted(e["coverage_notes"]) + [f'{p["function"]}: {p["reason"]}' for p in e["left_plain"]]
        if notes:
            cell += "".join(f'<div class="note">{esc(n)}</div>' for n in notes)
        out.append(f"<td>{cell}</td>")
        cost = []
        if e["static"]:
            plain, counted = e["static"]
            cost.append(f"{plain:,} &rarr; {counted:,} insns (+{100.0 * (counted - plain) / plain if plain else 0:.0f}%)")
        for k in kernels:
            key = (k.machine, k.release)
            if key in e["counted_verified"] and key in e["verified"]:
                cost.append(f'verified {e["verified"][key]:,} &rarr; {e["counted_verified"][key]:,} on {esc(k.label)}')
        out.append(f'<td class="note">{"<br>".join(cost) or "&ndash;"}</td></tr>')
    if not programs:
        out.append(f'<tr><td colspan="{4 + len(kernels)}" class="missing">No programs yet: build the BPF '
                   'objects and run their tests.</td></tr>')
    out.append("</tbody></table>")

    out.append('<h2>Instructions per program per kernel</h2>')
    out.append('<p class="note">Verified instructions, one bar per kernel; the black tick is the baseline. '
               'Each program has its own scale.</p>')
    out.append(chart_svg(kernels, programs))

    # Tests table: failures first.
    out.append('<h2>Test results</h2><table id="tests"><thead><tr><th>Test</th>')
    for k in kernels:
        out.append(f"<th>{esc(k.label)}</th>")
    out.append("</tr></thead><tbody>")

    def order(item):
        name, runs = item
        return (not any(r["outcome"] == "failed" for r in runs.values()), name)

    for name, runs in sorted(tests.items(), key=order):
        out.append(f'<tr><td>{esc(name)}</td>')
        for k in kernels:
            r = runs.get((k.machine, k.release))
            if r is None:
                out.append('<td class="missing">not run</td>')
                continue
            duration = f' <span class="note">{r["duration_ms"]:.0f} ms</span>' \
                if isinstance(r.get("duration_ms"), (int, float)) else ""
            message = f'<div class="note">{esc(r["message"])}</div>' if r.get("message") else ""
            out.append(f'<td><span class="{r["outcome"]}">{r["outcome"]}</span>{duration}{message}</td>')
        out.append("</tr>")
    if not tests:
        out.append(f'<tr><td colspan="{1 + len(kernels)}" class="missing">No test results yet: run ctest '
                   '(the BPF tests write them).</td></tr>')
    out.append("</tbody></table></main></body></html>")
    return "\n".join(out)


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise BadInput(f"{path}: cannot write: the directory {directory} does not exist")
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".bpf-report.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def counted(n, noun):
    """'1 program', '2 programs'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def main(argv):
    parser = argparse.ArgumentParser(prog="bpf_report.py", description="Writes the BPF report page.")
    parser.add_argument("--output", "-o", required=True)
    parser.add_argument("--title", default="bpfkit")
    parser.add_argument("--results", action="append", default=[])
    parser.add_argument("--matrix", default=None)
    parser.add_argument("--baseline", action="append", default=[])
    parser.add_argument("--baselines", default=None)
    parser.add_argument("--coverage", default=None)
    parser.add_argument("--coverage-html", default=None)
    parser.add_argument("--programs", default=None)
    args = parser.parse_args(argv)
    try:
        results = []
        for directory in args.results:
            results += read_results(directory, "host")
        if args.matrix and os.path.isdir(args.matrix):
            for series in sorted(os.listdir(args.matrix)):
                results += read_results(os.path.join(args.matrix, series, "bpfkit-results"), series)
        baseline_files = list(args.baseline)
        if args.baselines and os.path.exists(args.baselines):
            with open(args.baselines, encoding="utf-8") as f:
                baseline_files += [line.strip() for line in f if line.strip()]
        baselines = read_baselines(baseline_files)
        programs_file = read_json(args.programs, PROGRAMS_FORMAT) if args.programs and os.path.exists(args.programs) else None
        coverage = read_lcov(args.coverage)
        coverage_html_exists = bool(args.coverage_html and
                                    os.path.exists(os.path.join(args.coverage_html, "index.html")))
        kernels, programs, tests = build_model(results, baselines, programs_file, coverage)
        write_atomically(args.output, render(args, kernels, programs, tests, coverage, coverage_html_exists))
    except BadInput as e:
        print(f"bpf_report: {e}", file=sys.stderr)
        return 3
    print(f"bpf_report: {counted(len(programs), 'program')}, {counted(len(tests), 'test')} on "
          f"{counted(len(kernels), 'kernel')}: file://{os.path.abspath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
