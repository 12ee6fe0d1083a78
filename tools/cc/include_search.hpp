// Which file an #include names, as clang's search finds it.
//
// For #include "name": the including file's directory, then the -iquote
// directories, then -I, then -isystem; for #include <name> only -I and
// -isystem. The first directory holding `name` wins. Clang's own default
// directories (/usr/local/include, its resource directory, /usr/include) come
// after these and are not searched here: bpfkit's generated vmlinux.h is
// always on the path as -isystem, so when a search ends here it ended before
// them.
#pragma once

#include <filesystem>
#include <optional>

#include "compile_command.hpp"
#include "first_include.hpp"

namespace bpfkit::tools {

struct include_resolution {
  std::filesystem::path file;  // the header clang would open
  std::filesystem::path dir;   // the search directory (or the source's) it was found in
};

// `cwd` resolves relative directories; nothing when no directory holds it.
std::optional<include_resolution> resolve_include(const include_directive &include,
                                                  const std::filesystem::path &source,
                                                  const compile_command &cmd,
                                                  const std::filesystem::path &cwd);

}  // namespace bpfkit::tools
