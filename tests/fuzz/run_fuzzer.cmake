# Runs one fuzz target (see CMakeLists.txt):
#   cmake -DFUZZ_TARGET=<name> -DFUZZER=<fuzz_name> -DMODE=replay|fuzz
#         -DBUILD_DIR=<bpfkit build> -DSEEDS_DIR=<tests/fuzz/seeds>
#         -DREGRESSIONS_DIR=<tests/fuzz/regressions/name> -DWORK_DIR=<scratch>
#         -DOBJCOPY=<llvm-objcopy> -DMAX_LEN=<bytes> -P run_fuzzer.cmake
# replay: runs every seed and regression input once.
# fuzz:   fuzzes for $ENV{BPFKIT_FUZZ_SECONDS} seconds (default 5) from them;
#         a crash fails the test and names the input to keep as a regression.
cmake_minimum_required(VERSION 3.20)

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "FAIL: ${text}")
endfunction()

if(NOT EXISTS "${FUZZER}")
  fail("${FUZZER} was not built")
endif()
# Leaks inside the libraries a target drives, which bpfkit cannot fix, are
# suppressed per target by lsan/<target>.supp, each entry with its reason.
set(suppressions "${CMAKE_CURRENT_LIST_DIR}/lsan/${FUZZ_TARGET}.supp")
if(EXISTS "${suppressions}")
  # Added to what the caller set (the sanitized suite sets its own options).
  set(options "suppressions=${suppressions}:print_suppressions=0")
  if(NOT "$ENV{LSAN_OPTIONS}" STREQUAL "")
    string(PREPEND options "$ENV{LSAN_OPTIONS}:")
  endif()
  set(ENV{LSAN_OPTIONS} "${options}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
set(seeds "${WORK_DIR}/seeds")
file(MAKE_DIRECTORY "${seeds}")

# Files of the build (not of this scratch space) matching `patterns`.
function(build_files out)
  set(found)
  foreach(pattern IN LISTS ARGN)
    file(GLOB_RECURSE matches LIST_DIRECTORIES false "${BUILD_DIR}/${pattern}")
    list(APPEND found ${matches})
  endforeach()
  # Not the scratch directories of tests (.../work/...): running beside
  # this one, they write and delete files while it copies them.
  list(FILTER found EXCLUDE REGEX "/tests/[^/]+/work/")
  list(SORT found)
  list(REMOVE_DUPLICATES found)
  # Enough variety without making the replay slow.
  list(LENGTH found count)
  if(count GREATER 300)
    list(SUBLIST found 0 300 found)
  endif()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Copies `files` into the seed directory under unique names.
function(add_seed_files)
  foreach(file IN LISTS ARGN)
    string(MD5 id "${file}")
    get_filename_component(name "${file}" NAME)
    # A file another test removed since the glob is no seed (not a failure).
    file(COPY_FILE "${file}" "${seeds}/${id}-${name}" RESULT copied)
  endforeach()
endfunction()

# Writes each of the texts in the list `texts_var` as a seed, after `prefix`.
function(add_text_seeds prefix texts_var)
  foreach(text IN LISTS ${texts_var})
    string(MD5 id "${prefix}${text}")
    file(WRITE "${seeds}/text-${id}" "${prefix}${text}")
  endforeach()
endfunction()

# The lines of the spec files bpf_add_test wrote that start with `key=`.
function(spec_values out)
  build_files(specs "*.bpftest")
  set(values)
  foreach(spec IN LISTS specs)
    file(STRINGS "${spec}" lines)
    foreach(line IN LISTS lines)
      foreach(key IN LISTS ARGN)
        if(line MATCHES "^${key}=(.*)$")
          list(APPEND values "${CMAKE_MATCH_1}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES values)
  set(${out} ${values} PARENT_SCOPE)
endfunction()

set(objects_linked "*.bpf.o" "tests/link/byte_order/*.o")
if(FUZZ_TARGET STREQUAL "link")
  build_files(files "*.bpf.c.o" "*.bpf.cpp.o" ${objects_linked})
  add_seed_files(${files})
elseif(FUZZ_TARGET STREQUAL "object_open" OR FUZZ_TARGET STREQUAL "skel_btf")
  build_files(files ${objects_linked})
  add_seed_files(${files})
elseif(FUZZ_TARGET STREQUAL "vmlinux")
  # Objects (ELF with .BTF) and their BTF alone (raw BTF).
  build_files(files ${objects_linked})
  list(SUBLIST files 0 40 files)
  add_seed_files(${files})
  foreach(file IN LISTS files)
    string(MD5 id "${file}")
    execute_process(COMMAND "${OBJCOPY}" --dump-section ".BTF=${seeds}/${id}.btf" "${file}"
                            "${WORK_DIR}/scratch.o" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  endforeach()
  file(REMOVE "${WORK_DIR}/scratch.o")
elseif(FUZZ_TARGET STREQUAL "spec")
  build_files(files "*.bpftest")
  file(GLOB listed "${SEEDS_DIR}/spec/*")
  add_seed_files(${files} ${listed})
elseif(FUZZ_TARGET STREQUAL "packet")
  spec_values(values packet)
  file(STRINGS "${SEEDS_DIR}/packet.txt" listed REGEX "^[^#]")
  list(APPEND values ${listed})
  add_text_seeds("" values)
elseif(FUZZ_TARGET STREQUAL "btf_text")
  # The fuzzer reads a type selector byte and a mode byte first.
  # Keys and values of SET_MAP/EXPECT_MAP ("m[KEY]=VALUE", "m[KEY] == VALUE")
  # and SET_GLOBAL ("var=VALUE").
  spec_values(assignments set_map expect_map set_global)
  set(values)
  foreach(assignment IN LISTS assignments)
    if(assignment MATCHES "^[A-Za-z_0-9]+\\[(.*)\\][ ]*=?=[ ]*(.*)$")
      list(APPEND values "${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}")
    elseif(assignment MATCHES "^[A-Za-z_0-9]+=(.*)$")
      list(APPEND values "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  file(STRINGS "${SEEDS_DIR}/btf_text.txt" listed REGEX "^[^#]")
  list(APPEND values ${listed})
  foreach(selector RANGE 1 20)
    string(ASCII ${selector} 2 prefix)
    add_text_seeds("${prefix}" values)
  endforeach()
elseif(FUZZ_TARGET STREQUAL "verifier_log")
  file(GLOB files "${SEEDS_DIR}/verifier_log/*")
  add_seed_files(${files})
else()
  fail("unknown target ${FUZZ_TARGET}")
endif()
file(GLOB regressions LIST_DIRECTORIES false "${REGRESSIONS_DIR}/*")

file(GLOB seed_files "${seeds}/*")
list(LENGTH seed_files seed_count)
list(LENGTH regressions regression_count)
message(STATUS "${FUZZ_TARGET}: ${seed_count} seeds, ${regression_count} regression inputs")
if(seed_count EQUAL 0)
  fail("no seeds for ${FUZZ_TARGET}: build bpfkit first")
endif()

set(options -timeout=25 -rss_limit_mb=4096 -max_len=${MAX_LEN} -artifact_prefix=${WORK_DIR}/)
if(MODE STREQUAL "replay")
  # Chunks keep the command line short.
  set(inputs ${regressions} ${seed_files})
  while(inputs)
    list(LENGTH inputs left)
    if(left GREATER 100)
      list(SUBLIST inputs 0 100 chunk)
      list(SUBLIST inputs 100 -1 inputs)
    else()
      set(chunk ${inputs})
      set(inputs "")
    endif()
    execute_process(COMMAND "${FUZZER}" ${options} ${chunk}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      fail("${FUZZ_TARGET} fails on one of these inputs (exit ${rc}):\n${chunk}\n${err}")
    endif()
  endwhile()
  message(STATUS "${FUZZ_TARGET}: every seed and regression input passes")
elseif(MODE STREQUAL "fuzz")
  set(seconds 5)
  if(DEFINED ENV{BPFKIT_FUZZ_SECONDS})
    set(seconds "$ENV{BPFKIT_FUZZ_SECONDS}")
  endif()
  set(corpus "${WORK_DIR}/corpus")
  file(MAKE_DIRECTORY "${corpus}")
  foreach(file IN LISTS regressions seed_files)
    get_filename_component(name "${file}" NAME)
    file(COPY_FILE "${file}" "${corpus}/${name}" RESULT copied)
  endforeach()
  execute_process(COMMAND "${FUZZER}" ${options} -max_total_time=${seconds} -print_final_stats=1
                          "${corpus}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" runs "${err}")
  message(STATUS "${FUZZ_TARGET}: ${seconds} s, ${runs}")
  if(NOT rc EQUAL 0)
    file(GLOB artifacts "${WORK_DIR}/crash-*" "${WORK_DIR}/leak-*" "${WORK_DIR}/timeout-*"
                        "${WORK_DIR}/oom-*" "${WORK_DIR}/slow-unit-*")
    string(REGEX REPLACE "\n[^\n]*\n?$" "" tail "${err}")
    fail("${FUZZ_TARGET} found a failing input (exit ${rc}): ${artifacts}\n"
         "reproduce: ${FUZZER} <input>\n"
         "once fixed, keep it in ${REGRESSIONS_DIR}/\n${err}")
  endif()
else()
  fail("MODE must be replay or fuzz")
endif()
