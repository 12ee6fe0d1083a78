// The compile command of one BPF source, as bpfkit-check receives it.
//
// In a build, CMake runs every compile of an object that has C++ sources as
//   bpfkit-check --compile --compiler <clang> -- <launchers...> <clang> <args...>
// (the launchers being bpfkit-cc and the user's ccache, if any). From the
// compile database (-p) the command is just `<clang> <args...>`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bpfkit::check {

struct compile_command {
  std::vector<std::string> words;  // the whole command, launchers included
  std::size_t compiler = 0;        // index of the compiler in `words`
  std::string directory;           // where it runs
  std::string source;              // the argument of -c
  std::string output;              // the argument of -o

  // The compiler's arguments for a syntax-only parse by bpfkit-check's own
  // clang: no output, no depfile, no precompiled header (made by another
  // clang version, and equivalent to the header it replaces).
  std::vector<std::string> parse_arguments() const;
};

// Splits `words` (a command as run by the build). The compiler is the first
// word equal to `compiler` if given, else the first word. Throws
// std::invalid_argument when there is no compiler or no `-c <source>`.
compile_command parse_compile_command(std::vector<std::string> words, const std::string &compiler,
                                      std::string directory);

// True for a C++ source, by the rules clang applies: the extension, or an
// explicit `-x c++`.
bool is_cxx_source(const compile_command &command);

}  // namespace bpfkit::check
