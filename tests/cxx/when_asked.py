#!/usr/bin/env python3
"""when_asked.py <ci/vm> <command>...: runs the command when the ctest that
runs this selected tests (`ctest -L cxx-long`, -R ...), by the same rule as
the kernel matrix's long tests (ci/vm/bpfkit_vm/selection.py); else exits
77 (skipped) with the reason. For the C++ example in every consumer mode and
clang (label cxx-long): minutes each, most of them building bpfkit.
BPFKIT_CXX_LONG=1 runs them whatever the selection, BPFKIT_CXX_LONG=0 never."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from bpfkit_vm import selection  # noqa: E402

run, why = selection.requested(environ={"BPFKIT_VM": os.environ.get("BPFKIT_CXX_LONG", "")})
if not run:
    print("SKIP: the C++ example in every consumer mode and clang runs when asked: "
          "`ctest -L cxx-long` (or -R <its name>, or BPFKIT_CXX_LONG=1 in the environment)")
    sys.exit(77)
print(f"running: {why.replace('BPFKIT_VM', 'BPFKIT_CXX_LONG')}", flush=True)
os.execvp(sys.argv[2], sys.argv[2:])
