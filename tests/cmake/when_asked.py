#!/usr/bin/env python3
"""when_asked.py <ci/vm> <ENV> <label> <what> <command>...: runs the command
when the ctest that runs this selected tests (`ctest -L <label>`, -R ...),
by the same rule as the kernel matrix's long tests
(ci/vm/bpfkit_vm/selection.py); else exits 77 (skipped) with the reason.
For bpfkit's own tests that take minutes, most of them building bpfkit
inside a consumer: the C++ example in every consumer mode and clang (label
cxx-long), a sanitizing consumer's build (label cmake-long).
<ENV>=1 runs them whatever the selection, <ENV>=0 never."""
import os
import sys

sys.dont_write_bytecode = True
ci_vm, env, label, what = sys.argv[1:5]
command = sys.argv[5:]
sys.path.insert(0, ci_vm)
from bpfkit_vm import selection  # noqa: E402

run, why = selection.requested(environ={"BPFKIT_VM": os.environ.get(env, "")})
if not run:
    print(f"SKIP: {what} runs when asked: `ctest -L {label}` "
          f"(or -R <its name>, or {env}=1 in the environment)")
    sys.exit(77)
print(f"running: {why.replace('BPFKIT_VM', env)}", flush=True)
os.execvp(command[0], command)
