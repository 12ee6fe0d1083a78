// Whether a generated header is already what its inputs make.
//
// A build reruns bpfkit-vmlinux whenever the BTF file looks newer than the
// header, and /sys/kernel/btf/vmlinux looks new after every boot (sysfs
// gives it the time its inode was made). Rewriting an unchanged header would
// then recompile every object that includes it; leaving it alone lets Ninja
// (restat) and make see that nothing changed. The header's first line names
// a fingerprint of everything the output depends on: this very executable,
// the options and the input files' bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bpfkit::tools {

// "/* bpfkit-vmlinux ... */\n" for these inputs, or nullopt when one cannot
// be read (generation then reports the error). `options` is every argument
// that shapes the output; `files` the input files whose bytes do.
std::optional<std::string> fingerprint_line(const std::vector<std::string> &options,
                                            const std::vector<std::string> &files);

// Whether the file at `path` starts with `line`.
bool starts_with(const std::string &path, const std::string &line);

}  // namespace bpfkit::tools
