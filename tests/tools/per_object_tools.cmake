# tools.per_object_startup: what the per-object build tools cost to start.
# bpfkit-link runs once per object, bpfkit-skel once per skeleton and
# bpfkit-cc once per BPF compile, so none of them may parse the kernel's BTF
# (~6 MB) or read its input twice, and (BPFKIT_STATIC_TOOLS, when the static
# archives exist) none loads shared libraries.
#
#   cmake -DLINK_TOOL=... -DSKEL_TOOL=... -DCC_TOOL=... -DCLANG=...
#         -DSTRACE=... -DREADELF=... -DEXPECT_STATIC=ON|OFF -DSOURCE=...
#         -DWORK_DIR=... -P per_object_tools.cmake
cmake_minimum_required(VERSION 3.20)

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "${text}")
endfunction()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    fail("'${command}' failed (${rc}):\n${out}${err}")
  endif()
endfunction()

# Runs the tool under strace (file system calls only) and checks that it
# never opens kernel BTF and opens `input` exactly once.
function(check_file_accesses label input)
  set(log "${WORK_DIR}/${label}.strace")
  # In the sanitized build (asan preset): LeakSanitizer needs ptrace to stop
  # the process at exit, which a process under strace cannot give it. Leaks
  # are checked by every other run of the tools.
  set(ENV{ASAN_OPTIONS} "$ENV{ASAN_OPTIONS}:detect_leaks=0")
  run("${STRACE}" -f -qq -e trace=%file -o "${log}" ${ARGN})
  file(STRINGS "${log}" lines)
  foreach(line IN LISTS lines)
    if(line MATCHES "/sys/kernel/btf")
      fail("${label} opened kernel BTF, which it must not parse (once per object is the "
           "cost this test guards against):\n  ${line}")
    endif()
  endforeach()
  get_filename_component(input_name "${input}" NAME)
  set(opens 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "open(at)?\\(.*\"[^\"]*${input_name}\"" AND NOT line MATCHES "ENOENT")
      math(EXPR opens "${opens} + 1")
    endif()
  endforeach()
  if(NOT opens EQUAL 1)
    list(FILTER lines INCLUDE REGEX "${input_name}")
    list(JOIN lines "\n  " shown)
    fail("${label} opened ${input_name} ${opens} times, expected once:\n  ${shown}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(object "${WORK_DIR}/startup.o")
set(linked "${WORK_DIR}/startup.bpf.o")
run("${CLANG}" -target bpf -g -O2 -c "${SOURCE}" -o "${object}")

check_file_accesses(bpfkit-link "${object}" "${LINK_TOOL}" -o "${linked}" "${object}")
check_file_accesses(bpfkit-skel "${linked}" "${SKEL_TOOL}" -o "${WORK_DIR}/startup.skel.hpp"
  "${linked}")

if(EXPECT_STATIC)
  foreach(tool IN ITEMS "${LINK_TOOL}" "${SKEL_TOOL}" "${CC_TOOL}")
    execute_process(COMMAND "${READELF}" -l -d "${tool}" OUTPUT_VARIABLE headers
      RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("${READELF} cannot read ${tool}")
    endif()
    if(headers MATCHES "INTERP|\\(NEEDED\\)")
      string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" needed "${headers}")
      list(JOIN needed "\n  " needed)
      fail("${tool} is linked dynamically although BPFKIT_STATIC_TOOLS is ON and the static "
           "archives exist: every run would pay the dynamic loader:\n  ${needed}")
    endif()
  endforeach()
endif()
if(EXPECT_STATIC)
  message(STATUS "per-object tools: no kernel BTF, one read per input, statically linked")
else()
  message(STATUS "per-object tools: no kernel BTF, one read per input")
endif()
