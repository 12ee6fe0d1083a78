// What bpfkit-cc needs to know about one clang compile command.
//
// bpfkit-cc sees the real command line of every BPF compile (CMake's rule
// plus whatever the project added: definitions, options, include
// directories). From it, this module finds
//  - the source (the argument of -c),
//  - the include search path, grouped and ordered as clang searches it
//    (-iquote, then -I, then -isystem, for #include "..."; without -iquote
//    for #include <...>), so that bpfkit-cc can tell which vmlinux.h clang
//    would pick;
//  - the arguments a precompiled header must be built with to mean exactly
//    what this compile means: all of them except the output, the source and
//    the dependency-file options;
//  - the first option that makes the answer unknowable (a forced -include,
//    an explicit -x, a response file, -iprefix...): such a compile gets no
//    precompiled header.
#pragma once

#include <string>
#include <vector>

namespace bpfkit::tools {

struct compile_command {
  std::string compiler;
  std::string source;                    // "" when there is no -c <source>
  std::vector<std::string> quote_dirs;   // -iquote, in order
  std::vector<std::string> angled_dirs;  // -I, in order (those also given as -isystem dropped)
  std::vector<std::string> system_dirs;  // -isystem (and -cxx-isystem for C++), in order
  std::vector<std::string> pch_args;     // the arguments without output, source, depfile
  std::string unsupported;               // why no PCH can be equivalent; "" if none
  bool relative_search_dir = false;      // a search directory is relative to the cwd
};

// Parses `command` = compiler followed by its arguments.
compile_command parse_compile_command(const std::vector<std::string> &command);

// The source language clang infers from a file name: "c", "c++" or "" when
// it is neither.
std::string source_language(const std::string &source);

}  // namespace bpfkit::tools
