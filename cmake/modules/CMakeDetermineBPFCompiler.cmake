# CMakeDetermineBPFCompiler: finds the compiler of the BPF language.
#
# Run once per build tree by enable_language(BPF). The compiler is clang with
# the BPF target: `BPF_CLANG` (cache) chooses it; otherwise the newest clang on
# PATH is taken. The result is written to CMakeBPFCompiler.cmake in the build
# tree, so later configures do not search again.

if(NOT BPF_CLANG)
  find_program(BPF_CLANG
    NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14
    DOC "clang used to compile BPF sources (needs the BPF target)")
endif()
if(NOT BPF_CLANG)
  message(FATAL_ERROR
    "bpfkit: no clang found to compile BPF sources.\n"
    "Install it with:  apt-get install clang llvm\n"
    "or point BPF_CLANG at a clang with the BPF target: cmake -DBPF_CLANG=/usr/bin/clang-16 ...")
endif()
if(NOT EXISTS "${BPF_CLANG}")
  message(FATAL_ERROR
    "bpfkit: BPF_CLANG is set to '${BPF_CLANG}', which does not exist.\n"
    "Point it at an installed clang, e.g. -DBPF_CLANG=/usr/bin/clang.")
endif()

execute_process(COMMAND "${BPF_CLANG}" --version
  OUTPUT_VARIABLE _bpfkit_version_text RESULT_VARIABLE _bpfkit_rc ERROR_QUIET)
if(NOT _bpfkit_rc EQUAL 0 OR NOT _bpfkit_version_text MATCHES "clang version ([0-9]+(\\.[0-9]+)*)")
  message(FATAL_ERROR
    "bpfkit: BPF_CLANG='${BPF_CLANG}' is not clang (its --version does not say so).\n"
    "BPF sources need clang: apt-get install clang, or -DBPF_CLANG=/path/to/clang.")
endif()
set(CMAKE_BPF_COMPILER "${BPF_CLANG}")
set(CMAKE_BPF_COMPILER_ID "Clang")
set(CMAKE_BPF_COMPILER_VERSION "${CMAKE_MATCH_1}")

# The host's multiarch include directory (asm/types.h lives there on Debian);
# clang does not search it for -target bpf.
execute_process(COMMAND "${BPF_CLANG}" -print-multiarch
  OUTPUT_VARIABLE CMAKE_BPF_HOST_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)

configure_file(${CMAKE_CURRENT_LIST_DIR}/CMakeBPFCompiler.cmake.in
  ${CMAKE_PLATFORM_INFO_DIR}/CMakeBPFCompiler.cmake @ONLY)
set(CMAKE_BPF_COMPILER_ENV_VAR "BPF_CLANG")
