# Driver for the vmlinux.<case> tests: cmake -P vmlinux_test.cmake with
#   -DCASE=<case> -DTOOL=<bpfkit-vmlinux> -DWORK=<scratch dir>
#   -DCLANG=<clang> -DSOURCE=<task_struct.bpf.c> -DARCH_INCLUDE=<dir or empty>
#   -DBTF=<kernel BTF>
# Each case starts from an empty WORK directory, so leftovers are its own.
cmake_minimum_required(VERSION 3.20)

# Lines starting with this are turned into a ctest skip (SKIP_REGULAR_EXPRESSION):
# CMake 3.25 scripts cannot exit with a chosen code.
set(SKIP_MARK "bpfkit-test-skip:")

function(fail)
  string(JOIN "" text ${ARGN})
  message(FATAL_ERROR "FAIL: ${text}")
endfunction()

# Runs the tool; sets rc, out and err in the caller.
function(run_tool)
  execute_process(COMMAND "${TOOL}" ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  set(rc "${result}" PARENT_SCOPE)
  set(out "${stdout}" PARENT_SCOPE)
  set(err "${stderr}" PARENT_SCOPE)
endfunction()

function(generate output)
  run_tool(--btf "${BTF}" -o "${output}")
  if(NOT rc EQUAL 0)
    fail("bpfkit-vmlinux --btf ${BTF} failed (exit ${rc}):\n${err}")
  endif()
endfunction()

# WORK must hold exactly `expected` (file names), e.g. no temporaries.
function(expect_work_dir_holds)
  file(GLOB left RELATIVE "${WORK}" "${WORK}/*")
  list(SORT left)
  set(expected ${ARGN})
  list(SORT expected)
  if(NOT "${left}" STREQUAL "${expected}")
    fail("expected only [${expected}] in ${WORK}, found [${left}]")
  endif()
endfunction()

# An input error: exit 3, one message naming the file, nothing written.
function(expect_input_error input message_regex)
  run_tool(--btf "${input}" -o "${WORK}/vmlinux.h")
  if(NOT rc EQUAL 3)
    fail("expected exit 3 for ${input}, got ${rc}\nstderr: ${err}")
  endif()
  string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" input_regex "${input}")
  if(NOT err MATCHES "^bpfkit-vmlinux: error: ${input_regex}: ${message_regex}")
    fail("unexpected message for ${input}:\n${err}\nexpected: ${message_regex}")
  endif()
  message(STATUS "got the expected error: ${err}")
endfunction()

# bpftool prints nothing before the guard today; newer versions may add a
# banner comment. Compare from the guard on.
function(strip_banner var)
  string(FIND "${${var}}" "#ifndef __VMLINUX_H__" at)
  if(at LESS 0)
    fail("no __VMLINUX_H__ guard in ${var}")
  endif()
  string(SUBSTRING "${${var}}" ${at} -1 text)
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

set(kernel_cases compiles matches_bpftool deterministic truncated_btf usage)
if(CASE IN_LIST kernel_cases AND NOT EXISTS "${BTF}")
  message("${SKIP_MARK} no kernel BTF at ${BTF} (needs CONFIG_DEBUG_INFO_BTF=y)")
  return()
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

if(CASE STREQUAL "compiles")
  generate("${WORK}/vmlinux.h")
  set(arch_flags "")
  if(ARCH_INCLUDE)
    set(arch_flags -idirafter "${ARCH_INCLUDE}")
  endif()
  execute_process(
    COMMAND "${CLANG}" -target bpf -O2 -g -D__TARGET_ARCH_x86 -Wall -Werror
            -I "${WORK}" ${arch_flags} -c "${SOURCE}" -o "${WORK}/task_struct.bpf.o"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("a program using struct task_struct does not compile against the generated vmlinux.h:\n${err}")
  endif()

elseif(CASE STREQUAL "matches_bpftool")
  find_program(BPFTOOL bpftool PATHS /usr/sbin /sbin)
  if(NOT BPFTOOL)
    message("${SKIP_MARK} bpftool is not installed")
    return()
  endif()
  generate("${WORK}/vmlinux.h")
  execute_process(COMMAND "${BPFTOOL}" btf dump file "${BTF}" format c
    RESULT_VARIABLE rc OUTPUT_FILE "${WORK}/bpftool.h" ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message("${SKIP_MARK} bpftool cannot dump ${BTF}: ${err}")
    return()
  endif()
  file(READ "${WORK}/vmlinux.h" ours)
  file(READ "${WORK}/bpftool.h" theirs)
  strip_banner(ours)
  strip_banner(theirs)
  # libbpf >= 1.1.2 sizes 1-byte enums with mode(byte), as the kernel lays
  # them out; the libbpf inside older bpftool builds leaves them at int size.
  # That is the one known difference between libbpf versions: drop it.
  string(REPLACE "} __attribute__((mode(byte)));" "};" ours "${ours}")
  string(REPLACE "} __attribute__((mode(byte)));" "};" theirs "${theirs}")
  if(NOT ours STREQUAL theirs)
    file(WRITE "${WORK}/ours.normalized.h" "${ours}")
    file(WRITE "${WORK}/bpftool.normalized.h" "${theirs}")
    fail("output differs from bpftool; compare with\n"
         "  diff ${WORK}/ours.normalized.h ${WORK}/bpftool.normalized.h")
  endif()

elseif(CASE STREQUAL "deterministic")
  generate("${WORK}/first.h")
  generate("${WORK}/second.h")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/first.h" "${WORK}/second.h"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("two runs on ${BTF} differ: ${WORK}/first.h ${WORK}/second.h")
  endif()
  expect_work_dir_holds(first.h second.h)

elseif(CASE STREQUAL "missing_file")
  expect_input_error("${WORK}/missing.btf" "cannot open: No such file or directory")
  expect_work_dir_holds()

elseif(CASE STREQUAL "text_file")
  file(WRITE "${WORK}/notes.txt" "this is not BTF\n")
  expect_input_error("${WORK}/notes.txt" "not a BTF file")
  expect_work_dir_holds(notes.txt)

elseif(CASE STREQUAL "elf_without_btf")
  # The tool's own binary: an ELF file with no .BTF section.
  expect_input_error("${TOOL}" "ELF file has no \\.BTF section")
  expect_work_dir_holds()

elseif(CASE STREQUAL "truncated_btf")
  # The first 200 bytes: a valid header whose sections run past the end.
  # (file(WRITE) cannot write binary bytes, hence head.)
  execute_process(COMMAND head -c 200 "${BTF}" OUTPUT_FILE "${WORK}/truncated.btf")
  expect_input_error("${WORK}/truncated.btf" "invalid or truncated BTF")
  expect_work_dir_holds(truncated.btf)

elseif(CASE STREQUAL "error_keeps_old_output")
  # A failed run must not replace or truncate the previous good output.
  file(WRITE "${WORK}/vmlinux.h" "previous\n")
  file(WRITE "${WORK}/notes.txt" "this is not BTF\n")
  expect_input_error("${WORK}/notes.txt" "not a BTF file")
  file(READ "${WORK}/vmlinux.h" kept)
  if(NOT kept STREQUAL "previous\n")
    fail("the previous ${WORK}/vmlinux.h was changed by a failed run")
  endif()
  expect_work_dir_holds(notes.txt vmlinux.h)

elseif(CASE STREQUAL "usage")
  run_tool(--btf "${BTF}")
  if(NOT rc EQUAL 2 OR NOT err MATCHES "error: missing -o OUT\nusage: bpfkit-vmlinux")
    fail("expected exit 2 and the usage for a missing -o, got ${rc}:\n${err}")
  endif()
  run_tool(--help)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^usage: bpfkit-vmlinux")
    fail("--help: expected exit 0 and the usage, got ${rc}:\n${out}${err}")
  endif()
  expect_work_dir_holds()

else()
  fail("unknown CASE '${CASE}'")
endif()
