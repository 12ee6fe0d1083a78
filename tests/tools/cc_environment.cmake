# tools.cc_compiler_environment: bpfkit-cc runs the compiler with
# glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES (large pages for clang's
# heap, see tools/common/include/bpfkit/large_pages.hpp), keeps the user's
# other tunables, and leaves a user's own glibc.malloc.hugetlb as it is.
#
#   cmake -DCC_TOOL=... -DWORK_DIR=... -P cc_environment.cmake
cmake_minimum_required(VERSION 3.20)

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
# A compiler that writes the variable it was given where the test reads it.
set(fake "${WORK_DIR}/fake-clang")
file(WRITE "${fake}" "#!/bin/sh\nprintf '%s' \"\${GLIBC_TUNABLES-unset}\" > \"${WORK_DIR}/seen\"\n")
file(CHMOD "${fake}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
file(WRITE "${WORK_DIR}/source.bpf.c" "int x;\n")
file(WRITE "${WORK_DIR}/vmlinux.h" "/* empty */\n")

function(expect_seen label given expected)
  file(REMOVE "${WORK_DIR}/seen")
  if(given STREQUAL "unset")
    set(environment -E env --unset=GLIBC_TUNABLES)
  else()
    set(environment -E env "GLIBC_TUNABLES=${given}")
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" ${environment} "${CC_TOOL}" --vmlinux "${WORK_DIR}/vmlinux.h"
      --pch-dir "${WORK_DIR}/pch" -- "${fake}" -target bpfel -O2 -c "${WORK_DIR}/source.bpf.c"
      -o "${WORK_DIR}/source.o"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${WORK_DIR}/seen")
    message(FATAL_ERROR "${label}: bpfkit-cc did not run the compiler (${rc}):\n${out}${err}")
  endif()
  file(READ "${WORK_DIR}/seen" seen)
  if(NOT seen STREQUAL expected)
    message(FATAL_ERROR "${label}: the compiler saw GLIBC_TUNABLES='${seen}', expected '${expected}'")
  endif()
endfunction()

expect_seen("no tunables" unset "glibc.malloc.hugetlb=1")
expect_seen("other tunables" "glibc.malloc.arena_max=2" "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
expect_seen("the user's choice" "glibc.malloc.hugetlb=0" "glibc.malloc.hugetlb=0")
