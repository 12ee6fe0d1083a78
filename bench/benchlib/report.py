"""The report: a table for people, then one line per figure for machines.

  RATIO <name> <median> <min> <max>     a measured figure
  SKIPPED <name> <reason>               a figure that could not be measured

Ratios are bpfkit's figure over the reference's (below 1: bpfkit faster);
the table says which figures are absolute values instead.
"""


def _value(figure, value):
    unit = figure.spec.unit
    if unit == "x":
        return f"{value:.3f}x"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.1f} {unit}"


def _machine(value):
    return f"{value:.4f}"


def print_report(figures, header_lines, footer_lines, out):
    for line in header_lines:
        print(line, file=out)
    print(file=out)
    width = max(len(f.spec.name) for f in figures)
    print(f"{'figure':<{width}}  {'median':>10}  {'min':>10}  {'max':>10}  {'target':<16}  verdict",
          file=out)
    for f in figures:
        if f.skipped:
            print(f"{f.spec.name:<{width}}  {'-':>10}  {'-':>10}  {'-':>10}  {f.spec.target:<16}  "
                  f"skipped: {f.skipped}", file=out)
            continue
        verdict = "reached" if f.reached else "MISSED"
        if f.spec.floor_of:
            bounded = figures[f.spec.floor_of].spec
            verdict = (f"{bounded.name} <= {bounded.limit} unreachable"
                       if not bounded.reached(f.median) else f"leaves {bounded.name} room")
        kind = "ratio" if f.spec.unit == "x" else "absolute"
        print(f"{f.spec.name:<{width}}  {_value(f, f.median):>10}  {_value(f, min(f.samples)):>10}  "
              f"{_value(f, max(f.samples)):>10}  {f.spec.target:<16}  {verdict}", file=out)
        print(f"{'':<{width}}    {kind}: {f.spec.meaning}; {len(f.samples)} samples", file=out)
        for line in f.details:
            print(f"{'':<{width}}    {line}", file=out)
        for line in f.violations:
            print(f"{'':<{width}}    NOT AS REQUIRED: {line}", file=out)
    print(file=out)
    for line in footer_lines:
        print(line, file=out)
    print(file=out)
    for f in figures:
        if f.skipped:
            print(f"SKIPPED {f.spec.name} {f.skipped}", file=out)
        else:
            print(f"RATIO {f.spec.name} {_machine(f.median)} {_machine(min(f.samples))} "
                  f"{_machine(max(f.samples))}", file=out)
