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
from .process import BenchError, cpu_seconds, progress

# The standard headers the skeleton API (DESIGN section 3) puts in every
# TU that includes a skeleton; host_floor.py compiles them too.
API_STD_HEADERS = ["cstdint", "optional", "span", "string", "system_error", "vector"]

STD_HEADERS = "".join(f"#include <{h}>\n" for h in API_STD_HEADERS) + "\nint main() { return 0; }\n"

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


def measure(corpus, figure, scratch, runs):
    if OBJECT not in corpus.objects:
        raise BenchError(f"skeleton_tu_vs_std_headers needs the object {OBJECT}")
    progress(f"skeleton TU compile cost ({OBJECT}.skel.hpp)")
    compiler_and_flags, directory = corpus.loader_compile_bpfkit(OBJECT)
    scratch.mkdir(parents=True, exist_ok=True)
    std_source = scratch / "std_headers.cpp"
    skel_source = scratch / "skeleton.cpp"
    std_source.write_text(STD_HEADERS)
    skel_source.write_text(SKELETON.format(object=OBJECT, program=PROGRAM))
    std = compiler_and_flags + ["-c", "-o", str(scratch / "std.o"), str(std_source)]
    skel = compiler_and_flags + ["-c", "-o", str(scratch / "skel.o"), str(skel_source)]

    def cpu(command):
        return cpu_seconds(command, cwd=directory, what=f"compiling {command[-1]}")

    cpu(std)  # warm the file cache for both
    cpu(skel)
    std_times, skel_times = [], []
    # Three pairs a run: a single compile is at the mercy of the machine.
    for _ in range(runs * 3):
        std_times.append(cpu(std))
        skel_times.append(cpu(skel))
        figure.add(skel_times[-1] / std_times[-1])
    std_times.sort()
    skel_times.sort()
    figure.note(f"skeleton TU {skel_times[len(skel_times) // 2]:.2f} s CPU, std headers "
                f"{std_times[len(std_times) // 2]:.2f} s CPU (medians of {len(std_times)})")
