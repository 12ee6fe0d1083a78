# Runs one bpfkit-link test case (the cases are declared in CMakeLists.txt).
#
#   cmake -DLINK_TOOL=<bpfkit-link> -DCLANG=<clang> -DMULTIARCH=<x86_64-linux-gnu>
#         -DCASES_DIR=<fixtures> -DWORK_DIR=<fresh dir> -DREADELF=<readelf>
#         -DCASE_FILE=<case.cmake> -P run_link_case.cmake
#
# CASE_FILE sets:
#   INPUTS          fixtures, in link order: *.bpf.c/*.bpf.cpp (compiled for BPF),
#                   *.host.c (compiled for the host), other files (copied),
#                   missing:<name> (passed but never created),
#                   directory:<name> (an empty directory passed as input)
#   EXIT_CODE       the expected exit status of bpfkit-link
#   EXPECT_STDERR   regexes that must all match its stderr
#   NO_DEBUG        compile without -g (no BTF)
#   NO_OUTPUT_OPTION  run without -o
#   STALE_OUTPUT    create out.bpf.o before linking, as an earlier build would have
#   CHECK_SECTIONS  the output must have .BTF and .BTF.ext and no DWARF
#   ALL_RESOLVED    the output must have no undefined global symbol
#   LINK_TWICE      link again and require byte-identical output
cmake_minimum_required(VERSION 3.20)

foreach(var LINK_TOOL CLANG CASES_DIR WORK_DIR CASE_FILE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_link_case.cmake: -D${var}=... is required")
  endif()
endforeach()
include("${CASE_FILE}")

function(fail what)
  message(FATAL_ERROR "FAILED: ${what}")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Build the inputs. The tool runs in WORK_DIR with relative names, so its
# messages show short file names the expectations can match.
set(bpf_flags -target bpf -O2 -c)
if(NOT NO_DEBUG)
  list(APPEND bpf_flags -g)
endif()
if(MULTIARCH)
  # <asm/types.h> and friends live in the multiarch include directory.
  list(APPEND bpf_flags -idirafter "/usr/include/${MULTIARCH}")
endif()

set(link_inputs)
foreach(input IN LISTS INPUTS)
  if(input MATCHES "^missing:(.+)$")
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^directory:(.+)$")
    file(MAKE_DIRECTORY "${WORK_DIR}/${CMAKE_MATCH_1}")
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^(.+)\\.(bpf|host)\\.(c|cpp)$")
    set(object "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.o")
    if(CMAKE_MATCH_2 STREQUAL "bpf")
      set(flags ${bpf_flags})
    else()
      set(flags -O2 -c)
    endif()
    execute_process(
      COMMAND "${CLANG}" ${flags} "${CASES_DIR}/${input}" -o "${object}"
      WORKING_DIRECTORY "${WORK_DIR}"
      RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      fail("cannot compile fixture ${input}:\n${err}")
    endif()
    list(APPEND link_inputs "${object}")
  else()
    file(COPY "${CASES_DIR}/${input}" DESTINATION "${WORK_DIR}")
    list(APPEND link_inputs "${input}")
  endif()
endforeach()

if(STALE_OUTPUT)
  file(WRITE "${WORK_DIR}/out.bpf.o" "an object left by an earlier, successful build\n")
endif()

function(run_link)
  set(command "${LINK_TOOL}")
  if(NOT NO_OUTPUT_OPTION)
    list(APPEND command -o out.bpf.o)
  endif()
  list(APPEND command ${link_inputs})
  execute_process(COMMAND ${command} WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REPLACE ";" " " shown "${command}")
  message(STATUS "$ ${shown}\n${out}${err}exit status: ${rc}")
  if(NOT "${rc}" STREQUAL "${EXIT_CODE}")
    fail("expected exit status ${EXIT_CODE}, got ${rc}")
  endif()
  foreach(regex IN LISTS EXPECT_STDERR)
    if(NOT err MATCHES "${regex}")
      fail("stderr does not match: ${regex}")
    endif()
  endforeach()
endfunction()

function(check_output_files)
  file(GLOB leftovers "${WORK_DIR}/out.bpf.o.tmp.*")
  if(leftovers)
    fail("temporary files left behind: ${leftovers}")
  endif()
  if(EXIT_CODE EQUAL 0 AND NOT EXISTS "${WORK_DIR}/out.bpf.o")
    fail("no out.bpf.o after a successful link")
  elseif(NOT EXIT_CODE EQUAL 0 AND EXISTS "${WORK_DIR}/out.bpf.o")
    fail("out.bpf.o exists after a failed link")
  endif()
endfunction()

run_link()
check_output_files()

if(CHECK_SECTIONS OR ALL_RESOLVED)
  if(NOT READELF)
    fail("-DREADELF=... is required for CHECK_SECTIONS/ALL_RESOLVED")
  endif()
endif()

if(CHECK_SECTIONS)
  execute_process(COMMAND "${READELF}" -SW out.bpf.o WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE sections ERROR_QUIET)
  if(NOT rc EQUAL 0)
    fail("readelf -S failed")
  endif()
  if(NOT sections MATCHES " \\.BTF +PROGBITS" OR NOT sections MATCHES " \\.BTF\\.ext +PROGBITS")
    fail("output lacks .BTF or .BTF.ext:\n${sections}")
  endif()
  if(sections MATCHES "\\.debug_")
    fail("output still has DWARF sections:\n${sections}")
  endif()
endif()

if(ALL_RESOLVED)
  execute_process(COMMAND "${READELF}" -sW out.bpf.o WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE symbols ERROR_QUIET)
  if(NOT rc EQUAL 0)
    fail("readelf -s failed")
  endif()
  if(symbols MATCHES "GLOBAL +[A-Z]+ +UND +[^\n]+")
    fail("output has an undefined global symbol: ${CMAKE_MATCH_0}")
  endif()
endif()

if(LINK_TWICE)
  file(RENAME "${WORK_DIR}/out.bpf.o" "${WORK_DIR}/first.bpf.o")
  run_link()
  check_output_files()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files
                          "${WORK_DIR}/first.bpf.o" "${WORK_DIR}/out.bpf.o"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("linking the same inputs twice gave different bytes")
  endif()
endif()
