#!/usr/bin/env python3
"""when_asked.py <ci/vm> <command>...: runs the command when the ctest that
runs this selected tests (`ctest -L vm`, -R ...), as bpf_add_kernel_matrix's
tests do (ci/vm/bpfkit_vm/selection.py); else exits 77 (skipped) with the
reason. For bpfkit's own long vm tests that are not vm.<kernel> tests."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from bpfkit_vm import selection  # noqa: E402

run, why = selection.requested()
if not run:
    print(f"SKIP: {why}")
    sys.exit(77)
os.execvp(sys.argv[2], sys.argv[2:])
