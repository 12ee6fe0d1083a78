"""peak_rss_mib: the peak resident memory of every bpfkit tool doing its
job on the host kernel's full BTF, as GNU time reports it.

bpfkit-vmlinux turns /sys/kernel/btf/vmlinux into vmlinux.h; bpfkit-link and
bpfkit-skel process every object of the corpus; bpfkit-cc is the compile
launcher alone (it execs the compiler: a no-op stands in for clang). As
root, bpfkit-test runs bench.declarative and `bpfkit stats`/`verify` load
the object with the most CO-RE relocations: loading reads the kernel BTF.
"""
from .process import peak_memory_mib

KERNEL_BTF = "/sys/kernel/btf/vmlinux"


def measure(corpus, figure, scratch, runs, declarative_command):
    """Records one sample per run (the maximum over the tools) and, as the
    figure's detail, each tool's peak."""
    tc = corpus.toolchain
    linked = corpus.linked(corpus.kit)
    inputs = corpus.compiled_inputs()
    heaviest = linked.get("bootstrap") or next(iter(linked.values()))
    source = next((corpus.src / corpus.objects[0]).glob("*.bpf.c"))
    steps = [("bpfkit-vmlinux", [tc.tool("bpfkit-vmlinux"), "--btf", KERNEL_BTF,
                                 "-o", scratch / "vmlinux.h"]),
             ("bpfkit-cc", [tc.tool("bpfkit-cc"), "--", "true", "-c", source])]
    for name in corpus.objects:
        steps.append(("bpfkit-link", [tc.tool("bpfkit-link"), "-o", scratch / f"{name}.bpf.o",
                                      *inputs[name]]))
        steps.append(("bpfkit-skel", [tc.tool("bpfkit-skel"), "--name", name,
                                      "-o", scratch / f"{name}.skel.hpp", linked[name]]))
    if declarative_command:
        steps += [("bpfkit-test", declarative_command),
                  ("bpfkit stats", [tc.tool("bpfkit"), "stats", heaviest]),
                  ("bpfkit verify", [tc.tool("bpfkit"), "verify", heaviest])]
    by_tool = {}
    for _ in range(runs):
        sample = 0.0
        for tool, command in steps:
            mib = peak_memory_mib(command, what=f"{tool} (peak memory)", scratch=scratch)
            by_tool[tool] = max(mib, by_tool.get(tool, 0.0))
            sample = max(sample, mib)
        figure.add(sample)
    ranked = sorted(by_tool.items(), key=lambda item: -item[1])
    figure.note("; ".join(f"{tool} {mib:.1f}" for tool, mib in ranked) + " MiB")
    if not declarative_command:
        figure.note("without root: bpfkit-test and bpfkit stats/verify not measured")
