"""The figures bench/run reports: their names, units and targets (issue 13),
and the samples measured for each.

Every figure is a list of samples, one per run (or per tool invocation for
the per-object figures); the report prints their median, min and max. A
ratio is always bpfkit's figure over the reference's: below 1, bpfkit is
faster.
"""
from dataclasses import dataclass, field
import statistics


@dataclass(frozen=True)
class Spec:
    name: str
    unit: str          # "x" for a ratio, else the unit of an absolute value
    target: str        # as the issue states it
    limit: float       # None: the target is a property checked by the measurement
    at_least: bool     # True: the target is a lower bound (reached when >= limit)
    meaning: str       # one line for the table's legend
    # A floor has no target of its own: it is the least the named figure can
    # be, and the report says whether that figure's target is still reachable.
    floor_of: str = ""

    def reached(self, value):
        if self.limit is None:
            return True
        return value >= self.limit if self.at_least else value <= self.limit


# The order is the report's.
SPECS = [
    Spec("cold_build_vs_pipeline", "x", "<= 0.5", 0.5, False,
         "clean build of every object and skeleton (vmlinux.h and PCH included), bpfkit / pipeline"),
    Spec("host_build_vs_pipeline", "x", "<= 1.0", 1.0, False,
         "one host C++ TU per skeleton, compiled and linked, bpfkit / pipeline"),
    Spec("host_floor_vs_pipeline", "x", "none (a floor)", None, False,
         "a loader including only the C++ headers the skeleton API requires, compiled and "
         "linked / the pipeline's loader (CPU)", floor_of="host_build_vs_pipeline"),
    Spec("skeleton_tu_vs_std_headers", "x", "<= 1.5", 1.5, False,
         "a C++ TU including a skeleton and calling open() / one including six std headers (CPU)"),
    Spec("noop_rebuild_seconds", "s", "< 0.2", 0.2, False,
         "`cmake --build` with nothing to do (absolute)"),
    Spec("header_edit_vs_pipeline", "x", "only dependents", None, False,
         "`cmake --build` after editing a header some objects include, bpfkit / pipeline"),
    Spec("link_ms_per_object", "ms", "<= 5", 5.0, False,
         "bpfkit-link, one process per object (absolute)"),
    Spec("skel_ms_per_object", "ms", "<= 5", 5.0, False,
         "bpfkit-skel, one process per object (absolute)"),
    Spec("declarative_test_vs_bpftool", "x", "<= 0.2", 0.2, False,
         "one declarative test (its ctest command) / the same check scripted with bpftool"),
    Spec("declarative_test_vs_kernel_work", "x", "<= 1.2", 1.2, False,
         "one declarative test / a raw-libbpf program doing only its kernel work"),
    Spec("thousand_tests_seconds", "s", "< 10", 10.0, False,
         "1,000 bpf_add_test() tests run by `ctest -j2` (absolute)"),
    Spec("map_ops_vs_raw_libbpf", "x", "<= 1.1", 1.1, False,
         "typed lookup+update / bpf_map_lookup_elem+update_elem (Google Benchmark, CPU time)"),
    Spec("peak_rss_mib", "MiB", "< 128", 128.0, False,
         "peak RSS of every bpfkit tool on the host kernel's full BTF (absolute, max)"),
]
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


@dataclass
class Figure:
    spec: Spec
    samples: list = field(default_factory=list)
    details: list = field(default_factory=list)   # lines shown under the figure
    skipped: str = ""                              # why it was not measured
    violations: list = field(default_factory=list)  # checked properties that did not hold

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def reached(self):
        return not self.violations and self.spec.reached(self.median)

    def add(self, value):
        self.samples.append(value)

    def note(self, text):
        if text not in self.details:
            self.details.append(text)

    def violated(self, text):
        if text not in self.violations:
            self.violations.append(text)


class Figures:
    """Every figure of one bench/run, in report order."""

    def __init__(self):
        self.by_name = {spec.name: Figure(spec) for spec in SPECS}

    def __getitem__(self, name):
        return self.by_name[name]

    def __iter__(self):
        return iter(self.by_name.values())

    def skip(self, names, reason):
        for name in names:
            self.by_name[name].skipped = reason


def median(values):
    return statistics.median(values)
