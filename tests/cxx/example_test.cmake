# examples/cpp_flow_counter as a user's project, compiled by one clang
# (BPF_CLANG), with bpfkit from one of the ways a project gets it (MODE):
#   package       find_package(bpfkit) against the installed prefix, as the
#                 example is written
#   function      the same, with bpf_add_object() called from inside one of
#                 the project's own functions
#   subdirectory  add_subdirectory(<bpfkit source> bpfkit)
#   fetchcontent  FetchContent_Declare + FetchContent_MakeAvailable, the source
#                 given by FETCHCONTENT_SOURCE_DIR_BPFKIT (this tree)
# and GENERATOR (Ninja, or Ninja Multi-Config: the Debug configuration).
# Configure, build, check that every C++ BPF compile used that clang, went
# through that bpfkit's bpfkit-check and used the precompiled C++ vmlinux.h,
# and run the example's tests (the
# BPF ones are skipped, not failed, without privileges).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
if(NOT EXISTS "${BPF_CLANG}")
  message("bpfkit-test-skip: ${BPF_CLANG} is not installed (apt-get install clang-<N>)")
  return()
endif()
consumer_reset()
file(COPY "${EXAMPLE_DIR}/" DESTINATION "${WORK_DIR}/src")
set(src "${WORK_DIR}/src")
set(bin "${WORK_DIR}/build")

# Replaces <line> of the example's CMakeLists.txt with <replacement>: the
# example must still have it.
function(edit_example line replacement)
  file(READ "${src}/CMakeLists.txt" text)
  string(FIND "${text}" "${line}\n" at)
  if(at LESS 0)
    message(FATAL_ERROR "examples/cpp_flow_counter/CMakeLists.txt lost the line '${line}'")
  endif()
  string(REPLACE "${line}\n" "${replacement}\n" text "${text}")
  file(WRITE "${src}/CMakeLists.txt" "${text}")
endfunction()

set(args -DBUILD_TESTING=ON)
set(tools_dir "")  # where this bpfkit's tools are, when built in the project
set(object_line "bpf_add_object(flow_counter SOURCES flow_counter.bpf.cpp)")
set(package_line "if(NOT COMMAND bpf_add_object)")
if(MODE STREQUAL "package")
elseif(MODE STREQUAL "function")
  edit_example("${object_line}"
    "function(add_flow_counter)\n  ${object_line}\nendfunction()\nadd_flow_counter()")
elseif(MODE STREQUAL "subdirectory")
  edit_example("${package_line}" "add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit)\n${package_line}")
  set(tools_dir "${bin}/bpfkit/bin")
elseif(MODE STREQUAL "fetchcontent")
  edit_example("${package_line}"
    "include(FetchContent)\nFetchContent_Declare(bpfkit GIT_REPOSITORY https://github.com/bpfkit/bpfkit.git GIT_TAG main)\nFetchContent_MakeAvailable(bpfkit)\n${package_line}")
  list(APPEND args "-DFETCHCONTENT_SOURCE_DIR_BPFKIT=${BPFKIT_SOURCE_DIR}")
  set(tools_dir "${bin}/_deps/bpfkit-build/bin")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
if(tools_dir)
  # bpfkit's own sources are compiled in this tree: reuse earlier compiles.
  find_program(CCACHE ccache)
  if(CCACHE)
    list(APPEND args "-DCMAKE_C_COMPILER_LAUNCHER=${CCACHE}" "-DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE}")
  endif()
endif()

set(build_config "")
set(test_config "")
set(object "${bin}/flow_counter.bpf.o")
if(GENERATOR STREQUAL "Ninja Multi-Config")
  set(build_config --config Debug)
  set(test_config -C Debug)
  set(object "${bin}/Debug/flow_counter.bpf.o")
endif()
consumer_configure("${src}" "${bin}" ARGS ${args})
consumer_build("${bin}" ARGS -v ${build_config} ENV BPFKIT_CC_EXPLAIN=1 OUTPUT out)
# The C++ vmlinux.h it includes first is precompiled, as the C one is for C.
expect_match("${out}" "flow_counter\\.bpf\\.cpp: using the vmlinux\\.h PCH" "bpfkit-cc's explanation")
# Every BPF compile used the clang asked for, through bpfkit-check (of the
# bpfkit built here, in the subproject modes).
file(READ "${bin}/compile_commands.json" commands)
# (escaped quotes allowed: a multi-config generator writes -DCMAKE_INTDIR=\"Debug\")
string(REGEX MATCHALL "\"command\": \"([^\"\\\\]|\\\\.)*flow_counter\\.bpf\\.cpp([^\"\\\\]|\\\\.)*\"" bpf "${commands}")
expect_match("${bpf}" "${BPF_CLANG} " "the C++ BPF compile command")
string(REGEX MATCH "[^\n]*bpfkit-check\"? --compile[^\n]*flow_counter\\.bpf\\.cpp[^\n]*" compile "${out}")
expect_match("${compile}" "bpfkit-check" "the build's C++ BPF compile (ninja -v)")
if(tools_dir)
  string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" tools_regex "${tools_dir}")
  expect_match("${compile}" "${tools_regex}/bpfkit-check\"? --compile" "the bpfkit-check that compiled")
endif()
if(NOT EXISTS "${object}")
  message(FATAL_ERROR "the build did not produce ${object}")
endif()
consumer_run(out rc "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" ${test_config} --output-on-failure)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the example's tests failed (${MODE}, ${BPF_CLANG}):\n${out}")
endif()
expect_match("${out}" "100% tests passed" "the example's tests (${MODE}, ${BPF_CLANG})")
