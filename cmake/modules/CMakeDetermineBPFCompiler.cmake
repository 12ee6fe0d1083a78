# CMakeDetermineBPFCompiler: finds the compiler of the BPF language.
#
# Run by enable_language(BPF) once per build tree (again when BPF_CLANG
# changes: see BpfLanguage.cmake). The compiler is clang with the BPF target,
# chosen like CMake chooses a C compiler:
#   1. the BPF_CLANG cache variable (-DBPF_CLANG=/usr/bin/clang-16, or a name
#      looked up on PATH: -DBPF_CLANG=clang-16);
#   2. the BPF_CLANG environment variable, on the first configure of a build
#      tree (as CC is);
#   3. `clang` on PATH (the distribution's default clang), else the newest
#      versioned clang-<N> on PATH.
# The result is written to CMakeBPFCompiler.cmake in the build tree, so later
# configures do not search again.

include("${CMAKE_CURRENT_LIST_DIR}/BpfCompileFlags.cmake")

if(NOT BPF_CLANG AND DEFINED ENV{BPF_CLANG} AND NOT "$ENV{BPF_CLANG}" STREQUAL "")
  set(BPF_CLANG "$ENV{BPF_CLANG}" CACHE FILEPATH
    "clang used to compile BPF sources (needs the BPF target)")
endif()
if(NOT BPF_CLANG)
  find_program(BPF_CLANG
    NAMES clang clang-25 clang-24 clang-23 clang-22 clang-21 clang-20 clang-19 clang-18
          clang-17 clang-16 clang-15 clang-14
    NAMES_PER_DIR
    DOC "clang used to compile BPF sources (needs the BPF target)")
endif()
if(NOT BPF_CLANG)
  message(FATAL_ERROR
    "bpfkit: no clang found to compile BPF sources.\n"
    "Install it with:  apt-get install clang llvm\n"
    "or point BPF_CLANG at a clang with the BPF target: cmake -DBPF_CLANG=/usr/bin/clang-16 ...")
endif()
_bpfkit_resolve_bpf_clang("${BPF_CLANG}" _bpfkit_clang_path)
if(NOT _bpfkit_clang_path OR NOT EXISTS "${_bpfkit_clang_path}")
  message(FATAL_ERROR
    "bpfkit: BPF_CLANG is set to '${BPF_CLANG}', which does not exist.\n"
    "Point it at an installed clang, e.g. -DBPF_CLANG=/usr/bin/clang.")
endif()
# A name found on PATH is stored as its full path, as CMake does for
# CMAKE_C_COMPILER.
if(NOT BPF_CLANG STREQUAL _bpfkit_clang_path AND DEFINED CACHE{BPF_CLANG})
  set_property(CACHE BPF_CLANG PROPERTY VALUE "${_bpfkit_clang_path}")
endif()

execute_process(COMMAND "${_bpfkit_clang_path}" --version
  OUTPUT_VARIABLE _bpfkit_version_text RESULT_VARIABLE _bpfkit_rc ERROR_QUIET)
if(NOT _bpfkit_rc EQUAL 0 OR NOT _bpfkit_version_text MATCHES "clang version ([0-9]+(\\.[0-9]+)*)")
  message(FATAL_ERROR
    "bpfkit: BPF_CLANG='${BPF_CLANG}' is not clang (its --version does not say so).\n"
    "BPF sources need clang: apt-get install clang, or -DBPF_CLANG=/path/to/clang.")
endif()
set(CMAKE_BPF_COMPILER "${_bpfkit_clang_path}")
set(CMAKE_BPF_COMPILER_ID "Clang")
set(CMAKE_BPF_COMPILER_VERSION "${CMAKE_MATCH_1}")
set(_BPFKIT_DETECTED_BPF_CLANG "${_bpfkit_clang_path}" CACHE INTERNAL
  "The BPF_CLANG that CMakeBPFCompiler.cmake was detected from")

# Where clang looks for headers by default, for the BPF target and for the
# host. The BPF target's directories are the language's implicit include
# directories (CMake leaves them out of -I/-isystem flags, e.g. libbpf's
# /usr/include). The host's extra ones (Debian's multiarch directory
# /usr/include/x86_64-linux-gnu, where <asm/types.h> lives) are searched last
# by every BPF compile, so that <linux/bpf.h> works as on the host. Asking
# clang works with every version (`-print-multiarch` is gone in clang >= 16).
_bpfkit_clang_search_dirs("${_bpfkit_clang_path}" "-target;bpf" CMAKE_BPF_IMPLICIT_INCLUDE_DIRECTORIES)
_bpfkit_clang_search_dirs("${_bpfkit_clang_path}" "" _bpfkit_host_dirs)
set(CMAKE_BPF_HOST_INCLUDE_DIRS "")
foreach(_bpfkit_dir IN LISTS _bpfkit_host_dirs)
  if(NOT _bpfkit_dir IN_LIST CMAKE_BPF_IMPLICIT_INCLUDE_DIRECTORIES)
    list(APPEND CMAKE_BPF_HOST_INCLUDE_DIRS "${_bpfkit_dir}")
  endif()
endforeach()

configure_file(${CMAKE_CURRENT_LIST_DIR}/CMakeBPFCompiler.cmake.in
  ${CMAKE_PLATFORM_INFO_DIR}/CMakeBPFCompiler.cmake @ONLY)
set(CMAKE_BPF_COMPILER_ENV_VAR "BPF_CLANG")
unset(_bpfkit_clang_path)
unset(_bpfkit_version_text)
unset(_bpfkit_rc)
unset(_bpfkit_host_dirs)
unset(_bpfkit_dir)
