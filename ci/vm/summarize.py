#!/usr/bin/env python3
"""ci/vm/summarize.py <junit.xml>: one kernel's ctest results.

Prints "passed=<n> failed=<n> skipped=<n>" on the first line, then the name
of every failed test, one a line. Exit status 0 when nothing failed, 1 when
something did, 2 when the file cannot be read.
"""
import sys
import xml.etree.ElementTree as ET


def main():
    try:
        root = ET.parse(sys.argv[1]).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"summarize: cannot read {sys.argv[1]}: {error}", file=sys.stderr)
        return 2
    passed, skipped, failed = 0, 0, []
    for case in root.iter("testcase"):
        status = case.get("status", "")
        if case.find("failure") is not None or case.find("error") is not None or status == "fail":
            failed.append(case.get("name", "?"))
        elif case.find("skipped") is not None or status in ("notrun", "disabled"):
            skipped += 1
        else:
            passed += 1
    print(f"passed={passed} failed={len(failed)} skipped={skipped}")
    for name in failed:
        print(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
