"""The benchmark corpus (bench/corpus) built both ways: as a bpfkit CMake
project (CMakeLists.txt) and by the hand-written pipeline (Makefile).

The sources are copied into the work directory first, so that the header
edit bench/run makes never touches the repository.
"""
import json
import re
import shlex
import shutil
from pathlib import Path

from .process import BenchError, run

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

# --quick builds these: a multi-file tracing object, and the packet programs
# the test and map figures use (which include the edited header).
QUICK_OBJECTS = ["bootstrap", "tc_flowcount", "xdp_parser"]

# What bpf_precompile_skeleton_headers() adds to a loader's compile command.
PCH_FLAGS = ("-Winvalid-pch", "-Wno-error=invalid-pch")

# The header bench/run edits for header_edit_vs_pipeline.
EDITED_HEADER = "corpus/net.h"


def all_objects(source=CORPUS_DIR):
    """Every object of the corpus: each directory holding *.bpf.c files."""
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.bpf.c")))


class Corpus:
    def __init__(self, work, toolchain, objects, test_count):
        self.src = work / "corpus"
        self.kit = work / "bpfkit-build"
        self.pipe = work / "pipeline-build"
        self.toolchain = toolchain
        self.objects = objects
        self.test_count = test_count
        shutil.rmtree(self.src, ignore_errors=True)
        shutil.copytree(CORPUS_DIR, self.src)

    # --- the two builds ---------------------------------------------------
    def clean(self):
        shutil.rmtree(self.kit, ignore_errors=True)
        shutil.rmtree(self.pipe, ignore_errors=True)

    def configure(self):
        tc = self.toolchain
        return run(["cmake", "-S", self.src, "-B", self.kit, "-G", "Ninja",
                    f"-DCMAKE_PREFIX_PATH={tc.prefix}",
                    f"-DBPF_CLANG={tc.clang}", f"-DCMAKE_CXX_COMPILER={tc.cxx}",
                    f"-DCORPUS_OBJECTS={';'.join(self.objects)}",
                    f"-DCORPUS_TEST_COUNT={self.test_count}",
                    f"-DCORPUS_STATIC_KERNEL_WORK={'ON' if tc.runner_is_static else 'OFF'}",
                    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
                   what="configuring the corpus with bpfkit")

    def build(self, target=None):
        command = ["cmake", "--build", self.kit, "-j", self.toolchain.jobs]
        if target:
            command += ["--target", target]
        return run(command, what=f"building the corpus with bpfkit ({target or 'all'})")

    def make(self, goal):
        tc = self.toolchain
        return run(["make", "-f", self.src / "Makefile", f"OUT={self.pipe}",
                    f"OBJECTS={' '.join(self.objects)}", f"CLANG={tc.clang}", f"CXX={tc.cxx}",
                    f"BPFTOOL={tc.bpftool}", "-j", tc.jobs, goal],
                   what=f"building the corpus with the clang + bpftool pipeline ({goal})")

    def host_commands_bpfkit(self):
        """[(command, cwd)]: the steps `corpus_host` would run now, in order."""
        listing = run(["ninja", "-C", self.kit, "-n", "-v", "-j1", "corpus_host"],
                      what="listing the bpfkit host build's steps").output
        return [(line.split("] ", 1)[1], self.kit) for line in listing.splitlines()
                if line.startswith("[") and "] " in line]

    def host_commands_pipeline(self):
        """[(command, cwd)]: the steps `make host` would run now, in order."""
        tc = self.toolchain
        listing = run(["make", "-n", "-f", self.src / "Makefile", f"OUT={self.pipe}",
                       f"OBJECTS={' '.join(self.objects)}", f"CLANG={tc.clang}", f"CXX={tc.cxx}",
                       f"BPFTOOL={tc.bpftool}", "host"],
                      what="listing the pipeline's host build steps").output
        return [(line, None) for line in listing.splitlines() if line.strip()]

    # --- one loader's steps, as commands to time by themselves -------------
    def loader_compile_bpfkit(self, obj):
        """(compiler and flags, directory): the compile of <obj>_loader.cpp
        from compile_commands.json, without -o, -c, the source and the
        shared skeleton PCH (bpf_precompile_skeleton_headers)."""
        for entry in json.loads((self.kit / "compile_commands.json").read_text()):
            if Path(entry["file"]).name != f"{obj}_loader.cpp":
                continue
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
        raise BenchError(f"{self.kit}/compile_commands.json has no {obj}_loader.cpp: "
                         "was the corpus built?")

    def loader_link_bpfkit(self, obj):
        """(link command, the object file it links): <obj>_loader's link as
        ninja runs it, in the bpfkit tree."""
        listing = run(["ninja", "-C", self.kit, "-t", "commands", f"{obj}_loader"],
                      what=f"listing the steps of {obj}_loader").output.splitlines()
        link = listing[-1].strip()
        # CMake wraps a link as ": && <command> && :".
        link = link.removeprefix(": && ").removesuffix(" && :")
        words = shlex.split(link)
        objects = [w for w in words if w.endswith(f"{obj}_loader.cpp.o")]
        if "-o" not in words or len(objects) != 1:
            raise BenchError(f"cannot read the link step of {obj}_loader: {link}")
        return words, objects[0]

    def loader_steps_pipeline(self, obj):
        """(compile, link): the Makefile's steps of <obj>_loader, as lists."""
        tc = self.toolchain
        target = self.pipe / f"{obj}_loader"
        listing = run(["make", "-n", "-B", "-f", self.src / "Makefile", f"OUT={self.pipe}",
                       f"OBJECTS={obj}", f"CLANG={tc.clang}", f"CXX={tc.cxx}",
                       f"BPFTOOL={tc.bpftool}", target],
                      what=f"listing the pipeline's steps of {obj}_loader").output
        compile_step = link_step = None
        for line in listing.splitlines():
            words = shlex.split(line)
            if words[:1] != [str(tc.cxx)] or "-o" not in words:
                continue
            output = words[words.index("-o") + 1]
            if output == f"{target}.o" and "-c" in words:
                compile_step = words
            elif output == str(target):
                link_step = words
        if not compile_step or not link_step:
            raise BenchError(f"`make -n` listed no compile and link step of {target}:\n{listing}")
        return compile_step, link_step

    # --- what the builds made ---------------------------------------------
    def linked(self, tree):
        """{object: its linked .bpf.o} in the bpfkit or the pipeline tree."""
        return {name: tree / f"{name}.bpf.o" for name in self.objects}

    def compiled_inputs(self):
        """{object: the per-source .o files bpfkit compiled}, read from the
        compile database (an object's sources live in its directory)."""
        inputs = {name: [] for name in self.objects}
        for entry in json.loads((self.kit / "compile_commands.json").read_text()):
            source = Path(entry["file"])
            if source.parent.parent != self.src or not source.name.endswith(".bpf.c"):
                continue
            words = shlex.split(entry["command"])
            output = Path(words[words.index("-o") + 1])
            if not output.is_absolute():
                output = Path(entry["directory"]) / output
            inputs[source.parent.name].append(output)
        return {name: sorted(paths) for name, paths in inputs.items()}

    def pipeline_inputs(self):
        return {name: sorted((self.pipe / name).glob("*.o")) for name in self.objects}

    def header_dependents(self, header):
        """Objects whose sources (or their own headers) include `header`."""
        pattern = re.compile(r'#\s*include\s*[<"]' + re.escape(header) + r'[>"]')
        return {name for name in self.objects
                if any(pattern.search(p.read_text()) for p in (self.src / name).iterdir()
                       if p.suffix in (".c", ".h"))}

    def edit_header(self, header, text):
        with open(self.src / "include" / header, "a") as f:
            f.write(text)
