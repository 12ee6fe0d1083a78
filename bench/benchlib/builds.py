"""Build figures: the corpus built with bpfkit and with the clang + bpftool
pipeline, at the same -j, in the same run, alternating which goes first.

  cold_build_vs_pipeline   the BPF side from clean (bpfkit: target corpus_bpf,
                           vmlinux.h and its PCH included; pipeline: `make bpf`,
                           `bpftool btf dump` included)
  host_build_vs_pipeline   then one loader per object, a C++ TU including the
                           object's skeleton, compiled and linked (the
                           corpus's loaders share the skeleton headers' PCH:
                           bpf_precompile_skeleton_headers); on the first run
                           the same steps are then run again one process
                           each, to split their CPU time into compile
                           (PCH included) and link
  noop_rebuild_seconds     `cmake --build` again with nothing to do
  header_edit_vs_pipeline  `cmake --build` / `make` after appending a comment
                           to a header some objects include; only they may
                           be rebuilt
  link_ms_per_object,      every object's link and skeleton step run again
  skel_ms_per_object       by hand, one process each, timed per invocation
                           (bpftool gen object / gen skeleton alongside)
"""
import os
import statistics

from .corpus import EDITED_HEADER
from .process import cpu_seconds, progress, run


def _mtimes(paths):
    return {name: os.stat(path).st_mtime_ns for name, path in paths.items()}


def _rebuilt(before, after):
    return {name for name in before if after[name] != before[name]}


class BuildBench:
    def __init__(self, corpus, figures, noop_repeats, tool_repeats):
        self.corpus = corpus
        self.figures = figures
        self.noop_repeats = noop_repeats
        self.tool_repeats = tool_repeats
        self.absolute = {}   # label -> seconds per run, for the table's details

    def _keep(self, label, seconds):
        self.absolute.setdefault(label, []).append(seconds)

    def _pair(self, figure, run_index, kit_step, pipe_step):
        """Times both steps (alternating order per run) and records the ratio."""
        steps = [("bpfkit", kit_step), ("pipeline", pipe_step)]
        if run_index % 2:
            steps.reverse()
        seconds = {}
        for who, step in steps:
            seconds[who] = step().seconds
            self._keep(f"{figure}:{who}", seconds[who])
        self.figures[figure].add(seconds["bpfkit"] / seconds["pipeline"])

    def measure(self, runs):
        c = self.corpus
        dependents = c.header_dependents(EDITED_HEADER)
        for r in range(runs):
            progress(f"run {r + 1}/{runs}: configuring the corpus ({len(c.objects)} objects, "
                     f"{c.test_count} tests)")
            c.clean()
            self._keep("configure", c.configure().seconds)

            progress(f"run {r + 1}/{runs}: cold build, both ways")
            self._pair("cold_build_vs_pipeline", r,
                       lambda: c.build("corpus_bpf"), lambda: c.make("bpf"))
            progress(f"run {r + 1}/{runs}: host build (one loader per skeleton), both ways")
            self._pair("host_build_vs_pipeline", r,
                       lambda: c.build("corpus_host"), lambda: c.make("host"))
            if r == 0:
                self._host_cpu_split()
            # Everything else `all` holds, so that the no-op build is one.
            c.build()

            for _ in range(self.noop_repeats):
                self._keep("noop:bpfkit", c.build().seconds)
                self._keep("noop:pipeline", c.make("all").seconds)
            self.figures["noop_rebuild_seconds"].add(
                statistics.median(self.absolute["noop:bpfkit"][-self.noop_repeats:]))

            progress(f"run {r + 1}/{runs}: rebuild after editing {EDITED_HEADER}")
            self._header_edit(r, dependents)

            progress(f"run {r + 1}/{runs}: link and skeleton steps, one process per object")
            self._tools_per_object()
        self._details(dependents)

    def _header_edit(self, r, dependents):
        c = self.corpus
        kit_objects, pipe_objects = c.linked(c.kit), c.linked(c.pipe)
        kit_before, pipe_before = _mtimes(kit_objects), _mtimes(pipe_objects)
        c.edit_header(EDITED_HEADER, f"/* edited by bench/run, run {r + 1} */\n")
        self._pair("header_edit_vs_pipeline", r, lambda: c.build(), lambda: c.make("all"))
        figure = self.figures["header_edit_vs_pipeline"]
        for who, objects, before in (("bpfkit", kit_objects, kit_before),
                                     ("pipeline", pipe_objects, pipe_before)):
            rebuilt = _rebuilt(before, _mtimes(objects))
            if who == "bpfkit" and rebuilt != dependents:
                figure.violated(f"bpfkit relinked {sorted(rebuilt) or 'nothing'}; "
                                f"the objects including {EDITED_HEADER} are {sorted(dependents)}")
            self._keep(f"relinked:{who}", len(rebuilt))

    def _host_cpu_split(self):
        """CPU time (user+sys of each step's process) of the host build's
        compile and link steps, both ways: the loaders' outputs removed, the
        steps listed by a dry run of the same build, then run one by one."""
        c = self.corpus
        kit_outputs = [c.kit / f"{n}_loader" for n in c.objects] + \
            [c.kit / "CMakeFiles" / f"{n}_loader.dir" for n in c.objects] + \
            [c.kit / "CMakeFiles" / "bpfkit_skeleton_pch.dir"]
        pipe_outputs = [c.pipe / f"{n}_loader{ext}" for n in c.objects for ext in ("", ".o")]
        for who, outputs, dry_run in (("bpfkit", kit_outputs, c.host_commands_bpfkit),
                                      ("pipeline", pipe_outputs, c.host_commands_pipeline)):
            for path in outputs:
                if path.is_dir():
                    for sub in sorted(path.rglob("*"), reverse=True):
                        if sub.is_file() and sub.suffix in (".o", ".gch", ".pch"):
                            sub.unlink()
                elif path.exists():
                    path.unlink()
            split = {"compile": 0.0, "link": 0.0}
            for command, cwd in dry_run():
                kind = "compile" if " -c " in f" {command} " or "-x c++-header" in command else "link"
                split[kind] += cpu_seconds(command, cwd=cwd, what=f"{who} host {kind} step")
            for kind, seconds in split.items():
                self._keep(f"host_{kind}:{who}", seconds)

    def _pch_mode(self):
        """Which way the bpfkit loaders were compiled, for the table."""
        ninja = (self.corpus.kit / "build.ninja").read_text()
        if "bpfkit_skeleton_pch.dir/cmake_pch.hxx" in ninja:
            return "loaders using the shared skeleton PCH"
        return "loaders compiled without PCH (not GCC, or CORPUS_SKELETON_PCH=OFF)"

    def _tools_per_object(self):
        c, tc = self.corpus, self.corpus.toolchain
        out = c.kit.parent / "tool-invocations"
        out.mkdir(exist_ok=True)
        kit_inputs, pipe_inputs = c.compiled_inputs(), c.pipeline_inputs()
        linked = c.linked(c.kit)
        for name in c.objects:
            for _ in range(self.tool_repeats):
                link = run([tc.tool("bpfkit-link"), "-o", out / f"{name}.bpf.o", *kit_inputs[name]],
                           what=f"bpfkit-link of {name}")
                self.figures["link_ms_per_object"].add(link.seconds * 1000)
                skel = run([tc.tool("bpfkit-skel"), "--name", name, "-o", out / f"{name}.skel.hpp",
                            linked[name]], what=f"bpfkit-skel of {name}")
                self.figures["skel_ms_per_object"].add(skel.seconds * 1000)
                gen_object = run([tc.bpftool, "gen", "object", out / f"{name}.ref.bpf.o",
                                  *pipe_inputs[name]], what=f"bpftool gen object of {name}")
                self._keep("link:bpftool", gen_object.seconds * 1000)
                gen_skel = run([tc.bpftool, "gen", "skeleton", linked[name], "name", name],
                               what=f"bpftool gen skeleton of {name}")
                self._keep("skel:bpftool", gen_skel.seconds * 1000)

    def _details(self, dependents):
        a, f = self.absolute, self.figures
        med = statistics.median
        f["cold_build_vs_pipeline"].note(
            f"bpfkit {med(a['cold_build_vs_pipeline:bpfkit']):.2f} s, pipeline "
            f"{med(a['cold_build_vs_pipeline:pipeline']):.2f} s (medians; configure "
            f"{med(a['configure']):.2f} s, not included)")
        f["host_build_vs_pipeline"].note(
            f"bpfkit {med(a['host_build_vs_pipeline:bpfkit']):.2f} s, pipeline "
            f"{med(a['host_build_vs_pipeline:pipeline']):.2f} s for {len(self.corpus.objects)} loaders, "
            f"{self._pch_mode()}; CPU of the steps run one by one: compile "
            f"{med(a['host_compile:bpfkit']):.2f} s / {med(a['host_compile:pipeline']):.2f} s, link "
            f"{med(a['host_link:bpfkit']):.2f} s / {med(a['host_link:pipeline']):.2f} s")
        f["noop_rebuild_seconds"].note(
            f"`make` with nothing to do: {med(a['noop:pipeline']):.3f} s "
            f"({self.noop_repeats} tries per run)")
        f["header_edit_vs_pipeline"].note(
            f"bpfkit {med(a['header_edit_vs_pipeline:bpfkit']):.2f} s, pipeline "
            f"{med(a['header_edit_vs_pipeline:pipeline']):.2f} s; relinked: bpfkit "
            f"{max(a['relinked:bpfkit'])}, pipeline {max(a['relinked:pipeline'])} of "
            f"{len(self.corpus.objects)} objects ({len(dependents)} include {EDITED_HEADER})")
        f["link_ms_per_object"].note(
            f"bpftool gen object: {med(a['link:bpftool']):.1f} ms per object (median)")
        f["skel_ms_per_object"].note(
            f"bpftool gen skeleton: {med(a['skel:bpftool']):.1f} ms per object (median)")

