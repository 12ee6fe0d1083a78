"""host_floor_vs_pipeline (issues 10 and 13): the least a bpfkit loader can
cost to build while DESIGN section 3 holds, against the pipeline's loader.

The contract puts some of the C++ standard library in every translation
unit that includes a skeleton: `bpfkit::error` derives from
`std::system_error`, `lookup()` returns `std::optional`, `test_run_result`
holds a `std::vector`, and the runtime takes `std::span` and
`std::string`. So a loader that includes no skeleton at all, only those
headers and <bpfkit/error.hpp>, and catches `bpfkit::error`, is a floor:
no skeleton generator and no runtime header layout can make a loader
cheaper than it.

Per sample, the CPU time (user + system) of
  floor     compiling that TU with the corpus loaders' own compile command,
            the cheaper of: the headers as text, or (GCC only, as
            bpf_precompile_skeleton_headers does) a PCH of exactly those
            headers, its creation shared by the corpus's loaders; then
            linking it with the corpus loaders' own link command
  pipeline  compiling and linking the pipeline's loader of the same object
            with the Makefile's own commands
alternating which goes first. A floor above host_build_vs_pipeline's
target means that target cannot be reached by any skeleton.
"""
import statistics
import subprocess
from pathlib import Path

from .process import BenchError, cpu_seconds, progress
from .skeleton_tu import API_STD_HEADERS, OBJECT

# Everything a skeleton TU has to include under the contract, and nothing else.
FLOOR_HEADERS = "".join(f"#include <{h}>\n" for h in API_STD_HEADERS) + \
    "\n#include <bpfkit/error.hpp>\n"

# The pipeline's loader reports with <cstdio>; so does the floor.
FLOOR_SOURCE = """#include <cstdio>

#include "floor.hxx"

int main() {
  try {
    return 0;
  } catch (const bpfkit::error& e) {
    std::fprintf(stderr, "%s\\n", e.what());
    return 1;
  }
}
"""


def _words_with_output(words, output, replace_input=None):
    """`words` with the path after -o set to `output`, and the input
    `replace_input` = (old, new) swapped."""
    result = list(words)
    result[result.index("-o") + 1] = str(output)
    if replace_input:
        old, new = replace_input
        result = [new if word == old else word for word in result]
    return result


def _is_gcc(compiler, cwd):
    result = subprocess.run([compiler, "--version"], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return result.returncode == 0 and "clang" not in result.stdout.lower()


def measure(corpus, figure, scratch, runs):
    if OBJECT not in corpus.objects:
        raise BenchError(f"host_floor_vs_pipeline needs the object {OBJECT}")
    progress("host loader floor (the contract's headers only) against the pipeline's loader")
    scratch.mkdir(parents=True, exist_ok=True)
    header = scratch / "floor.hxx"
    source = scratch / "floor.cpp"
    header.write_text(FLOOR_HEADERS)
    source.write_text(FLOOR_SOURCE)
    floor_object, floor_binary = scratch / "floor.o", scratch / "floor"

    compile_words, directory = corpus.loader_compile_bpfkit(OBJECT)
    compile_text = compile_words + ["-c", "-o", str(floor_object), str(source)]
    gcc = _is_gcc(compile_words[0], directory)
    if gcc:
        pch = Path(str(header) + ".gch")
        make_pch = compile_words + ["-x", "c++-header", "-o", str(pch), str(header)]
        # -include of the header itself: GCC takes <header>.gch when it is valid.
        compile_pch = compile_words + ["-Winvalid-pch", "-include", str(header),
                                       "-c", "-o", str(floor_object), str(source)]
    link_words, loader_object = corpus.loader_link_bpfkit(OBJECT)
    link_floor = _words_with_output(link_words, floor_binary, (loader_object, str(floor_object)))

    pipe_compile, pipe_link = corpus.loader_steps_pipeline(OBJECT)
    pipe_object, pipe_binary = scratch / "pipeline.o", scratch / "pipeline"
    pipe_compile = _words_with_output(pipe_compile, pipe_object)
    pipe_link = _words_with_output(pipe_link, pipe_binary,
                                   (str(corpus.pipe / f"{OBJECT}_loader.o"), str(pipe_object)))

    def cpu(command, cwd):
        return cpu_seconds(command, cwd=cwd, what="a step of host_floor_vs_pipeline")

    if gcc:
        cpu(make_pch, directory)
        check = subprocess.run(compile_pch + ["-H"], cwd=directory, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        if check.returncode != 0 or f"! {pch}" not in check.stderr:
            raise BenchError(f"the floor's precompiled header {pch} was not used:\n{check.stderr}")
    loaders = len(corpus.objects)

    def floor():
        """{part: CPU seconds} of one floor loader, its headers both ways."""
        parts = {"compile as text": cpu(compile_text, directory)}
        if gcc:
            parts["PCH creation share"] = cpu(make_pch, directory) / loaders
            parts["compile with the PCH"] = cpu(compile_pch, directory)
        parts["link"] = cpu(link_floor, directory)
        return parts

    def cheapest(parts):
        compile_cost = parts["compile as text"]
        if gcc:
            compile_cost = min(compile_cost,
                               parts["compile with the PCH"] + parts["PCH creation share"])
        return compile_cost + parts["link"]

    def pipeline():
        return {"compile": cpu(pipe_compile, corpus.pipe),
                "link": cpu(pipe_link, corpus.pipe)}

    floor()  # warm the file cache for both
    pipeline()
    floors, pipes = [], []
    for i in range(runs * 3):
        if i % 2:
            p = pipeline()
            f = floor()
        else:
            f = floor()
            p = pipeline()
        floors.append(f)
        pipes.append(p)
        figure.add(cheapest(f) / sum(p.values()))

    def medians(samples):
        return ", ".join(f"{name} {statistics.median(s[name] for s in samples) * 1000:.0f} ms"
                         for name in samples[0])

    figure.note(f"floor per loader, the cheaper way of compiling its headers, then its link: "
                f"{medians(floors)}"
                + (f" (the PCH made once for the {loaders} loaders)" if gcc else "")
                + f"; the pipeline's loader: {medians(pipes)} (CPU, medians of {len(floors)})")
