# coverage.lcov.accepted: the tracefiles the coverage engine writes from real
# kernel runs, read by Debian's lcov and genhtml (the tools bpf_coverage and
# users run on them).
#
#   cmake -DKERNEL_TESTS=<bpfkit_coverage_kernel_tests> -DTOOL=<bpfkit-coverage>
#         -DTRACEFILES=<a directory for the kernel test's tracefiles> -DOBJECT=<coverage_paths.bpf.o>
#         -DVARIANT=<the object's clang variant> -DSOURCE=<coverage_paths.bpf.c>
#         -DWORK=<dir> -P lcov_accept.cmake
#
# Prints "SKIPPED: <why>" (the test's skip expression) without lcov or
# without the privilege to load BPF.
cmake_minimum_required(VERSION 3.20)
find_program(LCOV lcov)
find_program(GENHTML genhtml)
if(NOT LCOV OR NOT GENHTML)
  message("SKIPPED: lcov/genhtml not installed (apt-get install lcov)")
  return()
endif()
file(REMOVE_RECURSE "${WORK}" "${TRACEFILES}")
file(MAKE_DIRECTORY "${WORK}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REPLACE ";" " " command "${ARGN}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${command} failed (${status}):\n${out}${err}")
  endif()
  set(output "${out}${err}" PARENT_SCOPE)
endfunction()

# Two tests' tracefiles from the kernel (each its own load and runs).
set(ENV{COVERAGE_TEST_TRACEFILE_DIR} "${TRACEFILES}")
run("${KERNEL_TESTS}" "--gtest_filter=*paths.two_tests_merge_into_one_tracefile/${VARIANT}")
if(output MATCHES "\\[  SKIPPED \\]")
  string(REGEX MATCH "[^\n]*(cannot load BPF|tracefs)[^\n]*" why "${output}")
  message("SKIPPED: the kernel tests that write the tracefiles were skipped: ${why}")
  return()
endif()
file(GLOB tracefiles "${TRACEFILES}/*.info")
list(LENGTH tracefiles count)
if(count LESS 2)
  message(FATAL_ERROR "expected the kernel tests' tracefiles in ${TRACEFILES}, found: ${tracefiles}")
endif()

# Merged with the zero counts of the whole object, as bpf_coverage does.
run("${TOOL}" initial -o "${WORK}/initial.info" "${OBJECT}")
run("${TOOL}" merge -o "${WORK}/merged.info" "${WORK}/initial.info" "${TRACEFILES}")
set(ours "${output}")

foreach(file IN LISTS tracefiles ITEMS "${WORK}/initial.info" "${WORK}/merged.info")
  # lcov parses the file strictly when it rewrites it.
  run("${LCOV}" --quiet --rc lcov_branch_coverage=1 --add-tracefile "${file}" --output-file "${WORK}/rewritten.info")
  run("${LCOV}" --summary "${file}" --rc lcov_branch_coverage=1)
  message("${file}:\n${output}")
endforeach()

# lcov's totals of the merged file are bpfkit-coverage's.
foreach(kind lines functions branches)
  string(REGEX MATCH "${kind} +([0-9.]+)% \\(([0-9]+) of ([0-9]+)\\)" _ "${ours}")
  set(expected "${CMAKE_MATCH_1}% (${CMAKE_MATCH_2} of ${CMAKE_MATCH_3} ${kind})")
  if(NOT output MATCHES "${kind}\\.+: ([0-9.]+% \\([0-9]+ of [0-9]+ ${kind}\\))")
    message(FATAL_ERROR "lcov --summary shows no ${kind} total:\n${output}")
  endif()
  if(NOT CMAKE_MATCH_1 STREQUAL expected)
    message(FATAL_ERROR "lcov counts ${kind} ${CMAKE_MATCH_1}, bpfkit-coverage ${expected}")
  endif()
endforeach()

run("${GENHTML}" --quiet --branch-coverage --no-prefix --output-directory "${WORK}/html" "${WORK}/merged.info")
string(REGEX REPLACE "^/" "" relative "${SOURCE}")
set(page "${WORK}/html/${relative}.gcov.html")
if(NOT EXISTS "${WORK}/html/index.html" OR NOT EXISTS "${page}")
  message(FATAL_ERROR "genhtml wrote no page for ${SOURCE}")
endif()
# The page marks the line each test ran as covered, with its count, and the
# program no test ran as not covered.
file(READ "${page}" html)
file(STRINGS "${SOURCE}" source_lines)
set(number 0)
foreach(text IN LISTS source_lines)
  math(EXPR number "${number} + 1")
  if(text MATCHES "COVER\\((always|never)\\)")
    set(line_${CMAKE_MATCH_1} ${number})
  endif()
endforeach()
if(NOT html MATCHES "<span class=\"lineNum\"> *${line_always} </span>[^<]*<span class=\"lineCov\"> *2 :")
  message(FATAL_ERROR "genhtml does not show line ${line_always} as run twice")
endif()
if(NOT html MATCHES "<span class=\"lineNum\"> *${line_never} </span>[^<]*<span class=\"lineNoCov\"> *0 :")
  message(FATAL_ERROR "genhtml does not show line ${line_never} as not run")
endif()
message("genhtml report: ${WORK}/html/index.html")
