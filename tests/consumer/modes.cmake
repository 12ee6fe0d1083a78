# The README's example, then a consumer's own directory tree, through one of
# the three ways a project gets bpfkit (MODE):
#   package       find_package(bpfkit) against the installed prefix
#   subdirectory  add_subdirectory(<bpfkit source> bpfkit)
#   fetchcontent  FetchContent_Declare + FetchContent_MakeAvailable, the source
#                 given by FETCHCONTENT_SOURCE_DIR_BPFKIT (this tree)
#   exclude_from_all  add_subdirectory(<bpfkit source> bpfkit EXCLUDE_FROM_ALL):
#                 only phase 1; the default build builds what the tests run
#                 (bpfkit-test) and not what nothing needs (the bpfkit CLI)
# HOST=clang: the consumer's C and C++ compiler is clang (14 here), so the
#          bpfkit sources built inside the consumer are compiled by it too.
# Phase 1: tests/projects/readme exactly as the README shows it (only the
#          bpfkit line differs per mode): configure, build, run its test.
# Phase 2: tests/projects/consumer added before the README's first bpf_* call:
#          bpf_* calls from inside a consumer function and from a
#          subdirectory, symbolic return codes, SET_MAP/EXPECT_MAP with keys,
#          bpf_verifier_baseline without TOLERANCE: configure, build, accept
#          the baseline, run every test.
# The tests need root to load programs; without it the builds are still
# checked and the test reports skipped.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(readme src)
set(bin "${WORK_DIR}/build")

set(args "")
if(MODE STREQUAL "package")
  set(replacement "")  # the README's own find_package line
elseif(MODE STREQUAL "subdirectory")
  set(replacement "add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit)")
elseif(MODE STREQUAL "exclude_from_all")
  set(replacement "add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit EXCLUDE_FROM_ALL)")
elseif(MODE STREQUAL "fetchcontent")
  set(replacement
    "include(FetchContent)\n"
    "FetchContent_Declare(bpfkit GIT_REPOSITORY https://github.com/bpfkit/bpfkit.git GIT_TAG main)\n"
    "FetchContent_MakeAvailable(bpfkit)")
  string(JOIN "" replacement ${replacement})
  list(APPEND args "-DFETCHCONTENT_SOURCE_DIR_BPFKIT=${BPFKIT_SOURCE_DIR}")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
if(HOST STREQUAL "clang")
  find_program(host_cc clang NO_CACHE REQUIRED)
  find_program(host_cxx clang++ NO_CACHE REQUIRED)
  list(APPEND args "-DCMAKE_C_COMPILER=${host_cc}" "-DCMAKE_CXX_COMPILER=${host_cxx}")
endif()
if(NOT MODE STREQUAL "package")
  # bpfkit's own sources are compiled in this tree: reuse earlier compiles.
  find_program(CCACHE ccache)
  if(CCACHE)
    list(APPEND args "-DCMAKE_C_COMPILER_LAUNCHER=${CCACHE}" "-DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE}")
  endif()
endif()

consumer_readme_bpfkit_line("${src}" "${replacement}" text)
file(WRITE "${src}/CMakeLists.txt" "${text}")

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)

# ctest in <bin> must pass, with each of the named tests among the passed.
function(expect_tests_pass)
  consumer_run(out rc ctest --test-dir "${bin}" --output-on-failure)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ctest failed in the ${MODE} consumer (exit ${rc}):\n${out}")
  endif()
  foreach(test IN LISTS ARGN)
    string(REPLACE "." "\\." regex "${test}")
    expect_match("${out}" "Test +#[0-9]+: ${regex} \\.+ +Passed" "ctest output")
  endforeach()
endfunction()

# Phase 1: the README's example.
consumer_configure("${src}" "${bin}" ARGS ${args})
consumer_build("${bin}")
foreach(file counter.bpf.o bpfkit_skel/counter/counter.skel.hpp)
  if(NOT EXISTS "${bin}/${file}")
    message(FATAL_ERROR "the README example did not produce ${file}")
  endif()
endforeach()
# As a subproject bpfkit builds its tools and libraries, not its own tests,
# examples or benchmarks.
if(MODE STREQUAL "fetchcontent")
  set(bpfkit_bin "${bin}/_deps/bpfkit-build")
else()
  set(bpfkit_bin "${bin}/bpfkit")
endif()
if(NOT MODE STREQUAL "package")
  foreach(dir tests examples bench)
    if(EXISTS "${bpfkit_bin}/${dir}")
      message(FATAL_ERROR "bpfkit's ${dir} were configured inside a consumer project (${bpfkit_bin}/${dir})")
    endif()
  endforeach()
endif()
if(MODE STREQUAL "exclude_from_all")
  # Executables anywhere under bpfkit's binary directory, by file name.
  file(GLOB_RECURSE runner "${bpfkit_bin}/bpfkit-test")
  file(GLOB_RECURSE cli "${bpfkit_bin}/bpfkit")
  if(NOT runner OR cli)
    message(FATAL_ERROR "EXCLUDE_FROM_ALL: expected bpfkit-test built and the CLI not, found "
      "runner '${runner}', CLI '${cli}'")
  endif()
endif()
if(uid STREQUAL "0")
  expect_tests_pass(counter.counts)
endif()
if(MODE STREQUAL "exclude_from_all")
  if(NOT uid STREQUAL "0")
    message("bpfkit-test-skip: the build passed; running the BPF tests needs root")
  endif()
  return()
endif()

# Phase 2: the consumer's own tree.
file(COPY "${PROJECTS_DIR}/consumer" DESTINATION "${src}")
# Before the README's own bpf_add_object(): in the subproject modes the
# consumer's directories start without the BPF language.
string(REPLACE "enable_testing()\n" "enable_testing()\nadd_subdirectory(consumer)\n" text "${text}")
file(WRITE "${src}/CMakeLists.txt" "${text}")
consumer_configure("${src}" "${bin}" ARGS ${args})
consumer_build("${bin}")
foreach(file consumer/dns_filter.bpf.o consumer/xdp/verdict.bpf.o consumer/xdp/verdict_loader)
  if(NOT EXISTS "${bin}/${file}")
    message(FATAL_ERROR "the consumer tree did not produce ${file}")
  endif()
endforeach()
# bpf_precompile_skeleton_headers() from a subdirectory: with GCC, one
# precompiled header there, forced into verdict_loader's compile.
file(GLOB cxx_info "${bin}/CMakeFiles/*/CMakeCXXCompiler.cmake")
file(STRINGS "${cxx_info}" cxx_id REGEX "^set\\(CMAKE_CXX_COMPILER_ID ")
file(GLOB_RECURSE pchs "${bin}/consumer/*.hxx.gch")
file(READ "${bin}/compile_commands.json" commands)
if(NOT cxx_id)
  message(FATAL_ERROR "no CMAKE_CXX_COMPILER_ID in ${bin}/CMakeFiles/*/CMakeCXXCompiler.cmake")
endif()
list(LENGTH pchs pch_count)
if(cxx_id MATCHES "\"GNU\"")
  if(NOT pch_count EQUAL 1 OR NOT pchs MATCHES "consumer/xdp/CMakeFiles/bpfkit_skeleton_pch\\.dir/")
    message(FATAL_ERROR "expected the skeleton PCH in consumer/xdp, found ${pch_count}: ${pchs}")
  endif()
  expect_match("${commands}" "bpfkit_skeleton_pch\\.dir/cmake_pch\\.hxx[^\n]*/verdict_loader\\.cpp\""
    "compile command of verdict_loader (forced include of the skeleton PCH)")
endif()
if(NOT uid STREQUAL "0")
  message("bpfkit-test-skip: the builds passed; running the BPF tests needs root")
  return()
endif()
consumer_build("${bin}" ARGS --target consumer.verifier_budget_update OUTPUT out)
file(READ "${src}/consumer/xdp/verifier_baseline.csv" baseline)
expect_match("${baseline}" "^object,program,verified_insns\ndns_filter,drop_blocked_ports,[0-9]+\nverdict,decide,[0-9]+\n$"
  "the baseline written by consumer.verifier_budget_update")
expect_tests_pass(counter.counts dns_filter.drops_blocked_port dns_filter.passes_other_ports
  verdict.passes_by_default verdict.configured_drop verdict.zero_means_pass consumer.verifier_budget)
