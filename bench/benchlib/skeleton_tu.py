"""skeleton_tu_vs_std_headers (issue 10): what including a generated
skeleton costs one translation unit.

Two TUs are compiled, alternately, with the corpus loaders' own compile
command (compile_commands.json of the bpfkit build: the flags a user's
target gets from linking the skeleton's target), without the shared
skeleton PCH the corpus opts into, so the headers are compiled as text:

  std_headers  #include <cstdint>, <optional>, <span>, <string>,
               <system_error>, <vector>, and an empty main()
  skeleton     #include "<object>.skel.hpp" and a main() that calls
               <object>::skeleton::open()

Each sample is the CPU time (user + system) of the skeleton compile over
that of the std_headers compile next to it, so both see the same load.
Target: at most 1.5.
"""
import json
import resource
import shlex
import subprocess
from pathlib import Path

from .process import BenchError, progress

STD_HEADERS = """#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

int main() { return 0; }
"""

SKELETON = """#include "{object}.skel.hpp"

int main() {{
  auto skel = {object}::skeleton::open();
  return skel.progs.{program}.name().empty() ? 1 : 0;
}}
"""

# The object whose skeleton is measured: a multi-file CO-RE tracer with a
# ring buffer, maps and global data, in the --quick set too.
OBJECT = "bootstrap"
PROGRAM = "handle_exec"


# What bpf_precompile_skeleton_headers() adds to a loader's command: the
# figure compares the headers as text, so both TUs are compiled without them.
PCH_FLAGS = ("-Winvalid-pch", "-Wno-error=invalid-pch")


def _loader_command(corpus, obj):
    """The compile command of <obj>_loader.cpp, as a list without -o, -c,
    the source and the shared skeleton PCH."""
    for entry in json.loads((corpus.kit / "compile_commands.json").read_text()):
        if Path(entry["file"]).name == f"{obj}_loader.cpp":
            words = shlex.split(entry["command"])
            kept, skip = [], False
            for i, word in enumerate(words):
                if skip:
                    skip = False
                elif word in ("-o", "-c"):
                    skip = word == "-o"
                elif word in PCH_FLAGS:
                    pass
                elif word == "-include" and words[i + 1].endswith("cmake_pch.hxx"):
                    skip = True
                elif word == entry["file"] or Path(word).name == f"{obj}_loader.cpp":
                    pass
                else:
                    kept.append(word)
            return kept, Path(entry["directory"])
    raise BenchError(f"{corpus.kit}/compile_commands.json has no {obj}_loader.cpp: "
                     "was the corpus built?")


def _cpu_seconds(command, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise BenchError(f"compiling {command[-1]} failed:\n{result.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(corpus, figure, scratch, runs):
    if OBJECT not in corpus.objects:
        raise BenchError(f"skeleton_tu_vs_std_headers needs the object {OBJECT}")
    progress(f"skeleton TU compile cost ({OBJECT}.skel.hpp)")
    compiler_and_flags, directory = _loader_command(corpus, OBJECT)
    scratch.mkdir(parents=True, exist_ok=True)
    std_source = scratch / "std_headers.cpp"
    skel_source = scratch / "skeleton.cpp"
    std_source.write_text(STD_HEADERS)
    skel_source.write_text(SKELETON.format(object=OBJECT, program=PROGRAM))
    std = compiler_and_flags + ["-c", "-o", str(scratch / "std.o"), str(std_source)]
    skel = compiler_and_flags + ["-c", "-o", str(scratch / "skel.o"), str(skel_source)]
    _cpu_seconds(std, directory)  # warm the file cache for both
    _cpu_seconds(skel, directory)
    std_times, skel_times = [], []
    # Three pairs a run: a single compile is at the mercy of the machine.
    for _ in range(runs * 3):
        std_times.append(_cpu_seconds(std, directory))
        skel_times.append(_cpu_seconds(skel, directory))
        figure.add(skel_times[-1] / std_times[-1])
    std_times.sort()
    skel_times.sort()
    figure.note(f"skeleton TU {skel_times[len(skel_times) // 2]:.2f} s CPU, std headers "
                f"{std_times[len(std_times) // 2]:.2f} s CPU (medians of {len(std_times)})")
