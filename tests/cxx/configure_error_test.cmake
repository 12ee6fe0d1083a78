# The configure-time errors of an object with C++ sources (BpfCxx.cmake), in
# a user's project (CASE):
#   no_check   bpfkit built without clang's C++ API (add_subdirectory with
#              BPFKIT_CHECK_LLVM_ROOT pointing nowhere): no bpfkit-check
#   old_clang  BPF_CLANG older than 14 (a clang 14 that says it is 13)
#   required   as no_check, with BPFKIT_REQUIRE_CHECK=ON (ci/run-tests.sh):
#              bpfkit's own configure fails, naming what is missing
# Each must fail configuring with the message naming the object, the cause
# and the fix, and generate no build system.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(src "${WORK_DIR}/src")
set(bin "${WORK_DIR}/build")
file(MAKE_DIRECTORY "${src}")
file(WRITE "${src}/flows.bpf.cpp"
  "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
  "SEC(\"xdp\") int pass(struct xdp_md *) { return XDP_PASS; }\n"
  "char LICENSE[] SEC(\"license\") = \"GPL\";\n")

set(args "")
set(where "CMakeLists\\.txt:4 \\(bpf_add_object\\)")
if(CASE STREQUAL "no_check")
  set(get_bpfkit "add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit)")
  list(APPEND args "-DBPFKIT_CHECK_LLVM_ROOT=${WORK_DIR}/no-llvm")
  set(expected "bpf_add_object\\(flows\\): C\\+\\+ sources \\([^)]*flows\\.bpf\\.cpp\\) need bpfkit-check, "
               "which this bpfkit was built without: it needs clang's C\\+\\+ API\\. Install it "
               "\\(apt-get install libclang-19-dev llvm-19-dev\\) and rebuild bpfkit, or write the sources in C\\.")
elseif(CASE STREQUAL "required")
  set(get_bpfkit "add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit)")
  list(APPEND args "-DBPFKIT_CHECK_LLVM_ROOT=${WORK_DIR}/no-llvm" "-DBPFKIT_REQUIRE_CHECK=ON")
  set(expected "bpfkit: clang's C\\+\\+ API was not found in [^ ]*/no-llvm \\(missing: "
               "BPFKIT_CHECK_CLANG_INCLUDE_DIR, BPFKIT_CHECK_LIBCLANG_CPP, BPFKIT_CHECK_LIBLLVM, "
               "clang's resource directory\\): building without bpfkit-check, so C\\+\\+ BPF "
               "sources \\(\\*\\.bpf\\.cpp\\) are not supported\\. Install it with: "
               "apt-get install libclang-19-dev llvm-19-dev")
  set(where "CMake Error at [^\n]*tools/check/CMakeLists\\.txt:[0-9]+ \\(message\\)")
elseif(CASE STREQUAL "old_clang")
  set(get_bpfkit "find_package(bpfkit CONFIG REQUIRED)")
  # clang 14 under another version number: CMake checks it works as a
  # compiler; bpfkit must still refuse C++ with it.
  set(fake "${WORK_DIR}/fake/clang-13")
  file(WRITE "${WORK_DIR}/clang-13.in"
    "#!/bin/sh\n"
    "case \"$*\" in *--version*) echo 'Debian clang version 13.0.1-6'; echo 'Target: x86_64-pc-linux-gnu'; exit 0;; esac\n"
    "exec '${BPF_CLANG}' \"$@\"\n")
  file(COPY "${WORK_DIR}/clang-13.in" DESTINATION "${WORK_DIR}/fake"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  file(RENAME "${WORK_DIR}/fake/clang-13.in" "${fake}")
  set(BPF_CLANG "${fake}")
  set(expected "bpf_add_object\\(flows\\): C\\+\\+ BPF sources need clang 14 or newer. BPF_CLANG is "
               "clang 13\\.0\\.1\\. Point BPF_CLANG at a newer clang\\.")
else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
file(WRITE "${src}/CMakeLists.txt"
  "cmake_minimum_required(VERSION 3.20)\nproject(flows LANGUAGES C CXX)\n${get_bpfkit}\n"
  "bpf_add_object(flows SOURCES flows.bpf.cpp)\n")
string(JOIN "" expected ${expected})

consumer_configure("${src}" "${bin}" EXPECT_FAILURE OUTPUT out ARGS ${args})
string(REGEX REPLACE "[ \n]+" " " flat "${out}")
expect_match("${flat}" "${expected}" "configuring a C++ object (${CASE})")
expect_match("${out}" "${where}" "the line of the error")
if(EXISTS "${bin}/build.ninja")
  message(FATAL_ERROR "a failed configure generated ${bin}/build.ninja")
endif()
