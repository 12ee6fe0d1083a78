# Runs one bpfkit-link test case (the cases are declared in CMakeLists.txt).
#
#   cmake -DLINK_TOOL=<bpfkit-link> -DCLANG=<clang> -DMULTIARCH=<x86_64-linux-gnu>
#         -DCASES_DIR=<fixtures> -DWORK_DIR=<fresh dir> -DREADELF=<readelf>
#         -DMUTATE_TOOL=<bpfkit_mutate_object> -DOBJDUMP=<llvm-objdump>
#         -DBPFTOOL=<bpftool or empty> -DCASE_FILE=<case.cmake> -P run_link_case.cmake
#
# CASE_FILE sets:
#   INPUTS          fixtures, in link order: *.bpf.c/*.bpf.cpp (compiled for BPF),
#                   *.host.c (compiled for the host), other files (copied),
#                   missing:<name> (passed but never created),
#                   directory:<name> (an empty directory passed as input),
#                   fifo:<name> (a FIFO nobody writes to),
#                   mutated:<mutation>:<fixture> (compiled, then damaged in
#                   place by bpfkit_mutate_object <mutation>),
#                   target:<bpfel|bpfeb>:<fixture> (compiled for that target),
#                   bitcode:<fixture> (compiled with -emit-llvm),
#                   archive:<fixture> (its object in an ar archive),
#                   empty:<name> (an empty file),
#                   mkdir:<name> (a directory created, not passed)
#   OUTPUT          the -o argument (default out.bpf.o)
#   EXTRA_ARGS      arguments after the inputs
#   EXIT_CODE       the expected exit status of bpfkit-link
#   EXPECT_STDERR   regexes that must all match its stderr
#   BPF_TARGET      the clang target of BPF fixtures (default bpf)
#   COMPARE_BYTE_ORDER  also link the fixtures compiled for the other byte
#                   order; llvm-objdump (instructions, relocations), readelf
#                   (sections, symbols) and bpftool (BTF) must see the same
#   NO_DEBUG        compile without -g (no BTF)
#   COMPRESSED_DEBUG  compile with -g -gz (compressed DWARF sections)
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
if(NOT BPF_TARGET)
  set(BPF_TARGET bpf)
endif()
set(bpf_flags -O2 -c)
if(NOT NO_DEBUG)
  list(APPEND bpf_flags -g)
endif()
if(COMPRESSED_DEBUG)
  list(APPEND bpf_flags -gz)
endif()
if(MULTIARCH)
  # <asm/types.h> and friends live in the multiarch include directory.
  list(APPEND bpf_flags -idirafter "/usr/include/${MULTIARCH}")
endif()

# Compiles fixture `source` for `target` into `dir`; sets `object` (its name).
function(compile_fixture source target dir)
  if(NOT source MATCHES "^(.+)\\.(bpf|host)\\.(c|cpp)$")
    fail("not a fixture source: ${source}")
  endif()
  set(name "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.o")
  if(CMAKE_MATCH_2 STREQUAL "bpf")
    set(flags -target ${target} ${bpf_flags})
  else()
    set(flags -O2 -c)
  endif()
  execute_process(
    COMMAND "${CLANG}" ${flags} "${CASES_DIR}/${source}" -o "${name}"
    WORKING_DIRECTORY "${dir}"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("cannot compile fixture ${source}:\n${err}")
  endif()
  set(object "${name}" PARENT_SCOPE)
endfunction()

set(link_inputs)
set(made_directories)
foreach(input IN LISTS INPUTS)
  if(input MATCHES "^missing:(.+)$")
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^directory:(.+)$")
    file(MAKE_DIRECTORY "${WORK_DIR}/${CMAKE_MATCH_1}")
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^fifo:(.+)$")
    execute_process(COMMAND mkfifo "${CMAKE_MATCH_1}" WORKING_DIRECTORY "${WORK_DIR}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("mkfifo failed")
    endif()
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^mutated:([^:]+):(.+)$")
    set(mutation "${CMAKE_MATCH_1}")
    compile_fixture("${CMAKE_MATCH_2}" ${BPF_TARGET} "${WORK_DIR}")
    execute_process(COMMAND "${MUTATE_TOOL}" "${object}" "${object}" "${mutation}"
                    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      fail("bpfkit_mutate_object ${mutation} failed: ${err}")
    endif()
    list(APPEND link_inputs "${object}")
  elseif(input MATCHES "^mkdir:(.+)$")
    file(MAKE_DIRECTORY "${WORK_DIR}/${CMAKE_MATCH_1}")
    list(APPEND made_directories "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^empty:(.+)$")
    file(WRITE "${WORK_DIR}/${CMAKE_MATCH_1}" "")
    list(APPEND link_inputs "${CMAKE_MATCH_1}")
  elseif(input MATCHES "^bitcode:((.+)\\.bpf\\.c)$")
    set(name "${CMAKE_MATCH_2}.bc")
    execute_process(COMMAND "${CLANG}" -target bpf ${bpf_flags} -emit-llvm "${CASES_DIR}/${CMAKE_MATCH_1}"
                            -o "${name}" WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("cannot compile ${CMAKE_MATCH_1} to bitcode")
    endif()
    list(APPEND link_inputs "${name}")
  elseif(input MATCHES "^archive:(.+)$")
    compile_fixture("${CMAKE_MATCH_1}" ${BPF_TARGET} "${WORK_DIR}")
    execute_process(COMMAND ar rc objects.a "${object}" WORKING_DIRECTORY "${WORK_DIR}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("ar failed")
    endif()
    list(APPEND link_inputs objects.a)
  elseif(input MATCHES "^target:([^:]+):(.+)$")
    compile_fixture("${CMAKE_MATCH_2}" ${CMAKE_MATCH_1} "${WORK_DIR}")
    list(APPEND link_inputs "${object}")
  elseif(input MATCHES "\\.(c|cpp)$")
    compile_fixture("${input}" ${BPF_TARGET} "${WORK_DIR}")
    list(APPEND link_inputs "${object}")
  else()
    file(COPY "${CASES_DIR}/${input}" DESTINATION "${WORK_DIR}")
    list(APPEND link_inputs "${input}")
  endif()
endforeach()

if(STALE_OUTPUT)
  file(WRITE "${WORK_DIR}/out.bpf.o" "an object left by an earlier, successful build\n")
endif()

if(NOT OUTPUT)
  set(OUTPUT out.bpf.o)
endif()
function(run_link)
  set(command "${LINK_TOOL}")
  if(NOT NO_OUTPUT_OPTION)
    list(APPEND command -o "${OUTPUT}")
  endif()
  list(APPEND command ${link_inputs} ${EXTRA_ARGS})
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
  file(GLOB_RECURSE leftovers "${WORK_DIR}/*.tmp.*")
  if(leftovers)
    fail("temporary files left behind: ${leftovers}")
  endif()
  if(EXIT_CODE EQUAL 0 AND NOT EXISTS "${WORK_DIR}/${OUTPUT}")
    fail("no ${OUTPUT} after a successful link")
  elseif(NOT EXIT_CODE EQUAL 0 AND OUTPUT IN_LIST made_directories)
    if(NOT IS_DIRECTORY "${WORK_DIR}/${OUTPUT}")
      fail("the directory ${OUTPUT} was replaced by a failed link")
    endif()
  elseif(NOT EXIT_CODE EQUAL 0 AND OUTPUT IN_LIST link_inputs)
    if(NOT EXISTS "${WORK_DIR}/${OUTPUT}")
      fail("the input ${OUTPUT} was deleted by a failed link")
    endif()
  elseif(NOT EXIT_CODE EQUAL 0 AND EXISTS "${WORK_DIR}/${OUTPUT}")
    fail("${OUTPUT} exists after a failed link")
  endif()
endfunction()

run_link()
check_output_files()

if(CHECK_SECTIONS OR ALL_RESOLVED OR COMPARE_BYTE_ORDER)
  if(NOT READELF)
    fail("-DREADELF=... is required for CHECK_SECTIONS/ALL_RESOLVED/COMPARE_BYTE_ORDER")
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

if(COMPARE_BYTE_ORDER)
  # The same fixtures for the other byte order, linked in a subdirectory.
  if(BPF_TARGET STREQUAL "bpfeb")
    set(other bpfel)
  else()
    set(other bpfeb)
  endif()
  set(other_dir "${WORK_DIR}/${other}")
  file(MAKE_DIRECTORY "${other_dir}")
  set(other_inputs)
  foreach(input IN LISTS INPUTS)
    compile_fixture("${input}" ${other} "${other_dir}")
    list(APPEND other_inputs "${object}")
  endforeach()
  execute_process(COMMAND "${LINK_TOOL}" -o out.bpf.o ${other_inputs}
                  WORKING_DIRECTORY "${other_dir}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("linking for ${other} failed: ${err}")
  endif()
  execute_process(COMMAND "${READELF}" -h out.bpf.o WORKING_DIRECTORY "${WORK_DIR}"
                  OUTPUT_VARIABLE header)
  if(BPF_TARGET STREQUAL "bpfeb" AND NOT header MATCHES "big endian")
    fail("the output of a bpfeb link is not big-endian:\n${header}")
  endif()
  # What independent tools read from each output, without the lines that
  # name the byte order.
  function(describe_output dir var)
    execute_process(COMMAND "${OBJDUMP}" -d -r --no-show-raw-insn out.bpf.o
                    WORKING_DIRECTORY "${dir}" OUTPUT_VARIABLE code RESULT_VARIABLE rc1)
    execute_process(COMMAND "${READELF}" -SsW out.bpf.o
                    WORKING_DIRECTORY "${dir}" OUTPUT_VARIABLE layout RESULT_VARIABLE rc2)
    set(types "")
    if(BPFTOOL)
      execute_process(COMMAND "${BPFTOOL}" btf dump file out.bpf.o
                      WORKING_DIRECTORY "${dir}" OUTPUT_VARIABLE types RESULT_VARIABLE rc3)
      if(NOT rc3 EQUAL 0)
        fail("bpftool cannot read the BTF of ${dir}/out.bpf.o")
      endif()
    endif()
    if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
      fail("llvm-objdump or readelf cannot read ${dir}/out.bpf.o")
    endif()
    string(REGEX REPLACE "file format [^\n]*" "" code "${code}")
    set(${var} "${code}\n${layout}\n${types}" PARENT_SCOPE)
  endfunction()
  describe_output("${WORK_DIR}" ours)
  describe_output("${other_dir}" theirs)
  if(NOT ours STREQUAL theirs)
    file(WRITE "${WORK_DIR}/${BPF_TARGET}.txt" "${ours}")
    file(WRITE "${WORK_DIR}/${other}.txt" "${theirs}")
    fail("the ${BPF_TARGET} and ${other} links differ: diff ${WORK_DIR}/${BPF_TARGET}.txt ${WORK_DIR}/${other}.txt")
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
