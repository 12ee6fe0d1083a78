# Driver for the vmlinux.<case> tests: cmake -P vmlinux_test.cmake with
#   -DCASE=<case> -DTOOL=<bpfkit-vmlinux> -DWORK=<scratch dir>
#   -DCLANG=<clang> -DSOURCE=<task_struct.bpf.c> -DARCH_INCLUDE=<dir or empty>
#   -DBTF=<kernel BTF> -DTYPES_SOURCE=<types.bpf.c> -DHOST_CC=<host C compiler>
#   -DMUTATE=<bpfkit_mutate_object> -DOBJCOPY=<llvm-objcopy> -DDPKG_DEB=<dpkg-deb or empty>
#   -DWITHOUT_LZMA=<bpfkit-vmlinux built without liblzma>
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
  set(err "${err}" PARENT_SCOPE)
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

# Runs bpfkit_mutate_object.
function(mutate in out mutation)
  execute_process(COMMAND "${MUTATE}" "${in}" "${out}" ${mutation}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("bpfkit_mutate_object ${mutation} failed: ${err}")
  endif()
endfunction()

# `input` must give the same header as `reference` (a header file).
function(expect_same_header input reference)
  get_filename_component(name "${input}" NAME)
  set(output "${WORK}/${name}.h")
  run_tool(--btf "${input}" -o "${output}")
  if(NOT rc EQUAL 0)
    fail("bpfkit-vmlinux --btf ${input} failed (exit ${rc}):\n${err}")
  endif()
  # From the guard on: the first line fingerprints the input, which differs.
  file(READ "${reference}" expected)
  file(READ "${output}" got)
  strip_banner(expected)
  strip_banner(got)
  if(NOT got STREQUAL expected)
    fail("${input} gives another header than ${reference}: diff ${reference} ${output}")
  endif()
  file(REMOVE "${output}")
endfunction()

# The kernel's BTF inside an ELF file: a host object with a .BTF section.
function(make_elf_with_kernel_btf out)
  file(WRITE "${WORK}/host.c" "int host_function(void) { return 0; }\n")
  execute_process(COMMAND "${HOST_CC}" -c "${WORK}/host.c" -o "${WORK}/host.o" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("cannot compile a host object")
  endif()
  execute_process(COMMAND "${OBJCOPY}" --add-section ".BTF=${BTF}" "${WORK}/host.o" "${out}"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("llvm-objcopy --add-section failed: ${err}")
  endif()
  file(REMOVE "${WORK}/host.c" "${WORK}/host.o")
endfunction()

# A Debian package of the files below `root`, built with dpkg-deb.
function(make_deb root package out)
  file(MAKE_DIRECTORY "${root}/DEBIAN")
  file(WRITE "${root}/DEBIAN/control"
    "Package: ${package}\nVersion: 1.0\nArchitecture: all\nMaintainer: bpfkit tests <t@example.com>\n"
    "Description: a test package\n")
  execute_process(COMMAND "${DPKG_DEB}" --root-owner-group --build "${root}" "${out}"
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("dpkg-deb --build failed: ${err}")
  endif()
  file(REMOVE_RECURSE "${root}")
endfunction()

set(kernel_cases compiles matches_bpftool deterministic truncated_btf usage
  output_symlink malformed_self_pointer malformed_typedef_loop malformed_name_offset
  malformed_type_id malformed_deep_pointers elf_with_kernel_btf arm64_image gzip_image
  xz_image bzimage without_lzma deb_package deb_dbg_package corrupt_xz zstd_image
  bzimage_truncated truncated_elf split_with_base split_without_base base_with_standalone
  output_directory_missing deb_truncated output_is_directory zboot_image zboot_truncated
  deb_damaged_tar deb_truncated_tar)
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

elseif(CASE STREQUAL "unchanged_output_kept")
  # A header that is already what these inputs make is left alone (a build
  # reruns the tool whenever sysfs gives the BTF a new time, after a boot):
  # a marker put after its first line survives a rerun. Anything that shapes
  # the output (the mode, the input's path or bytes, the tool) rewrites it.
  generate("${WORK}/vmlinux.h")
  file(READ "${WORK}/vmlinux.h" first LIMIT 200)
  if(NOT first MATCHES "^/\\* generated by bpfkit-vmlinux; inputs [0-9a-f]+ \\*/\n#ifndef __VMLINUX_H__")
    fail("no fingerprint line first:\n${first}")
  endif()
  string(REGEX MATCH "^[^\n]*\n" line "${first}")
  file(WRITE "${WORK}/vmlinux.h" "${line}/* marker */\n")
  generate("${WORK}/vmlinux.h")
  file(READ "${WORK}/vmlinux.h" again)
  if(NOT again STREQUAL "${line}/* marker */\n")
    fail("an up-to-date header was rewritten")
  endif()
  # Another mode: rewritten.
  run_tool(--cxx --btf "${BTF}" -o "${WORK}/vmlinux.h")
  file(READ "${WORK}/vmlinux.h" cxx LIMIT 200)
  if(NOT rc EQUAL 0 OR cxx MATCHES "marker" OR cxx STREQUAL first)
    fail("--cxx did not rewrite the C header (exit ${rc}):\n${cxx}")
  endif()
  # Other bytes under the same path: rewritten.
  file(COPY_FILE "${BTF}" "${WORK}/kernel.btf")
  run_tool(--btf "${WORK}/kernel.btf" -o "${WORK}/copy.h")
  file(READ "${WORK}/copy.h" copy_line LIMIT 200)
  string(REGEX MATCH "^[^\n]*\n" copy_line "${copy_line}")
  file(WRITE "${WORK}/copy.h" "${copy_line}/* marker */\n")
  file(WRITE "${WORK}/kernel.btf" "not BTF any more\n")
  run_tool(--btf "${WORK}/kernel.btf" -o "${WORK}/copy.h")
  if(NOT rc EQUAL 3 OR NOT err MATCHES "not a BTF file")
    fail("changed input bytes were not read again (exit ${rc}):\n${err}")
  endif()
  # Another executable (a copy with one more byte): rewritten.
  file(COPY_FILE "${TOOL}" "${WORK}/other-tool")
  file(APPEND "${WORK}/other-tool" "x")
  generate("${WORK}/vmlinux.h")
  file(WRITE "${WORK}/vmlinux.h" "${line}/* marker */\n")
  execute_process(COMMAND "${WORK}/other-tool" --btf "${BTF}" -o "${WORK}/vmlinux.h" RESULT_VARIABLE rc)
  file(READ "${WORK}/vmlinux.h" other LIMIT 200)
  if(NOT rc EQUAL 0 OR other MATCHES "marker")
    fail("another build of the tool kept the header (exit ${rc})")
  endif()

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
  expect_input_error("${WORK}/truncated.btf"
    "malformed BTF: the type section \\(offset 0, [0-9]+ bytes\\) runs past the end of the data")
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

elseif(CASE STREQUAL "fifo_input")
  # Refused at once: a FIFO nobody writes to must not hang the build.
  execute_process(COMMAND mkfifo "${WORK}/pipe")
  expect_input_error("${WORK}/pipe" "is a FIFO, not a regular file")
  expect_work_dir_holds(pipe)

elseif(CASE STREQUAL "directory_input")
  file(MAKE_DIRECTORY "${WORK}/dir")
  expect_input_error("${WORK}/dir" "is a directory, not a regular file")
  expect_work_dir_holds(dir)

elseif(CASE STREQUAL "output_symlink")
  # The output replaces a symlink at its path; it never writes through it.
  file(WRITE "${WORK}/victim" "precious\n")
  file(CREATE_LINK "${WORK}/victim" "${WORK}/vmlinux.h" SYMBOLIC)
  generate("${WORK}/vmlinux.h")
  file(READ "${WORK}/victim" kept)
  if(NOT kept STREQUAL "precious\n" OR IS_SYMLINK "${WORK}/vmlinux.h")
    fail("the output was written through a symlink")
  endif()
  expect_work_dir_holds(victim vmlinux.h)

elseif(CASE MATCHES "^malformed_(.*)$")
  # Issue 9 item 7: libbpf 1.1's btf_dump recurses without end or crashes
  # on these; bpfkit-vmlinux checks the BTF first.
  string(REPLACE "_" "-" mutation "btf-${CMAKE_MATCH_1}")
  set(messages
    btf-self-pointer "malformed BTF: type \\[[0-9]+\\] PTR refers to itself: \\[[0-9]+\\] PTR -> \\[[0-9]+\\]"
    btf-typedef-loop "malformed BTF: type \\[[0-9]+\\] TYPEDEF \"[^\"]+\" refers to itself"
    btf-name-offset "malformed BTF: type \\[[0-9]+\\] [A-Z_]+: its name is at string offset 2147483647, past the end of the strings"
    btf-type-id "malformed BTF: type \\[[0-9]+\\] PTR refers to type 1048575, past the last type"
    btf-deep-pointers "malformed BTF: type \\[[0-9]+\\] PTR nests more than 256 levels of types")
  list(FIND messages ${mutation} at)
  math(EXPR at "${at} + 1")
  list(GET messages ${at} message)
  mutate("${BTF}" "${WORK}/bad.btf" ${mutation})
  expect_input_error("${WORK}/bad.btf" "${message}")
  expect_work_dir_holds(bad.btf)

elseif(CASE STREQUAL "big_endian")
  # The same types compiled for both byte orders: raw BTF and ELF objects of
  # either give one header.
  foreach(target bpfel bpfeb)
    execute_process(COMMAND "${CLANG}" -target ${target} -g -O2 -c "${TYPES_SOURCE}"
                            -o "${WORK}/types.${target}.o" RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      fail("cannot compile ${TYPES_SOURCE} for ${target}: ${err}")
    endif()
    execute_process(COMMAND "${OBJCOPY}" --dump-section ".BTF=${WORK}/types.${target}.btf"
                            "${WORK}/types.${target}.o" "${WORK}/types.${target}.copy"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("llvm-objcopy cannot extract .BTF")
    endif()
  endforeach()
  run_tool(--btf "${WORK}/types.bpfel.btf" -o "${WORK}/reference.h")
  if(NOT rc EQUAL 0)
    fail("little-endian BTF failed: ${err}")
  endif()
  file(READ "${WORK}/reference.h" header)
  if(NOT header MATCHES "struct sample \\*next;" OR NOT header MATCHES "SAMPLE_B = 305419896")
    fail("the header lacks the fixture's types:\n${header}")
  endif()
  expect_same_header("${WORK}/types.bpfeb.btf" "${WORK}/reference.h")
  expect_same_header("${WORK}/types.bpfeb.o" "${WORK}/reference.h")
  expect_same_header("${WORK}/types.bpfel.o" "${WORK}/reference.h")

elseif(CASE STREQUAL "elf_with_kernel_btf")
  generate("${WORK}/reference.h")
  make_elf_with_kernel_btf("${WORK}/vmlinux")
  expect_same_header("${WORK}/vmlinux" "${WORK}/reference.h")

elseif(CASE STREQUAL "arm64_image")
  # As Debian's arm64 vmlinuz: an uncompressed Image with the BTF inside.
  generate("${WORK}/reference.h")
  mutate("${BTF}" "${WORK}/vmlinuz" arm64-image)
  expect_same_header("${WORK}/vmlinuz" "${WORK}/reference.h")

elseif(CASE MATCHES "^(gzip|xz)_image$")
  set(format ${CMAKE_MATCH_1})
  generate("${WORK}/reference.h")
  mutate("${BTF}" "${WORK}/Image" arm64-image)
  if(format STREQUAL "gzip")
    set(compression GZip)
  else()
    set(compression XZ)
  endif()
  file(ARCHIVE_CREATE OUTPUT "${WORK}/vmlinuz.${format}" PATHS "${WORK}/Image"
       FORMAT raw COMPRESSION ${compression})
  expect_same_header("${WORK}/vmlinuz.${format}" "${WORK}/reference.h")

elseif(CASE STREQUAL "bzimage")
  # As x86's vmlinuz: a compressed ELF vmlinux behind the boot sectors.
  generate("${WORK}/reference.h")
  make_elf_with_kernel_btf("${WORK}/vmlinux")
  mutate("${WORK}/vmlinux" "${WORK}/vmlinuz" bzimage)
  expect_same_header("${WORK}/vmlinuz" "${WORK}/reference.h")

elseif(CASE STREQUAL "image_without_btf")
  file(WRITE "${WORK}/content" "no BTF in here\n")
  mutate("${WORK}/content" "${WORK}/vmlinuz" arm64-image)
  expect_input_error("${WORK}/vmlinuz" "a kernel image without BTF")

elseif(CASE STREQUAL "corrupt_gzip")
  file(WRITE "${WORK}/content" "some kernel\n")
  file(ARCHIVE_CREATE OUTPUT "${WORK}/full.gz" PATHS "${WORK}/content" FORMAT raw COMPRESSION GZip)
  mutate("${WORK}/full.gz" "${WORK}/vmlinuz.gz" truncate=12)
  expect_input_error("${WORK}/vmlinuz.gz" "truncated gzip data")

elseif(CASE STREQUAL "corrupt_xz")
  file(ARCHIVE_CREATE OUTPUT "${WORK}/full.xz" PATHS "${BTF}" FORMAT raw COMPRESSION XZ)
  mutate("${WORK}/full.xz" "${WORK}/vmlinuz.xz" truncate=5000)
  expect_input_error("${WORK}/vmlinuz.xz" "truncated xz data")

elseif(CASE STREQUAL "zstd_image")
  mutate("${BTF}" "${WORK}/vmlinuz" zstd-magic)
  expect_input_error("${WORK}/vmlinuz" "zstd-compressed; bpfkit-vmlinux reads gzip and xz only")
  if(NOT err MATCHES "hint: decompress it yourself and pass the result")
    fail("no hint in:\n${err}")
  endif()

elseif(CASE STREQUAL "bzimage_truncated")
  make_elf_with_kernel_btf("${WORK}/vmlinux")
  mutate("${WORK}/vmlinux" "${WORK}/full" bzimage)
  mutate("${WORK}/full" "${WORK}/vmlinuz" truncate=100000)
  expect_input_error("${WORK}/vmlinuz" "x86 kernel image \\(bzImage\\) whose payload lies outside the file")

elseif(CASE STREQUAL "bzimage_stored")
  file(WRITE "${WORK}/content" "not compressed\n")
  mutate("${WORK}/content" "${WORK}/vmlinuz" bzimage-stored)
  expect_input_error("${WORK}/vmlinuz"
    "the x86 kernel image \\(bzImage\\) holds data in an unknown compression format")

elseif(CASE STREQUAL "gzip_bomb")
  # 513 MiB of zeros in half a MiB: refused at 512 MiB, not read to the end.
  file(WRITE "${WORK}/ignored" "")
  mutate("${WORK}/ignored" "${WORK}/vmlinuz.gz" gzip-bomb)
  expect_input_error("${WORK}/vmlinuz.gz" "decompresses to more than 512 MiB, more than any kernel image")

elseif(CASE STREQUAL "too_large")
  # Sparse: no disk is used.
  file(WRITE "${WORK}/huge" "")
  execute_process(COMMAND truncate -s 5G "${WORK}/huge" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("truncate -s 5G failed")
  endif()
  expect_input_error("${WORK}/huge" "is 5368709120 bytes \\(5120 MiB\\), more than the limit of 4294967296 bytes \\(4096 MiB\\)")

elseif(CASE STREQUAL "truncated_elf")
  make_elf_with_kernel_btf("${WORK}/full")
  mutate("${WORK}/full" "${WORK}/vmlinux" truncate=100000)
  expect_input_error("${WORK}/vmlinux" "malformed ELF: ")

elseif(CASE STREQUAL "split_with_base")
  # A kernel module's BTF continues the kernel's.
  mutate("${BTF}" "${WORK}/module.btf" split-btf)
  run_tool(--btf "${WORK}/module.btf" --base "${BTF}" -o "${WORK}/module.h")
  if(NOT rc EQUAL 0)
    fail("split BTF with its base failed (exit ${rc}):\n${err}")
  endif()
  file(READ "${WORK}/module.h" header)
  if(NOT header MATCHES "typedef [^;]+ bpfkit_split_type;")
    fail("the split type is missing from the header")
  endif()

elseif(CASE STREQUAL "split_without_base")
  mutate("${BTF}" "${WORK}/module.btf" split-btf)
  expect_input_error("${WORK}/module.btf" "split BTF \\(a kernel module's\\?\\) needs its base BTF")

elseif(CASE STREQUAL "base_with_standalone")
  run_tool(--btf "${BTF}" --base "${BTF}" -o "${WORK}/vmlinux.h")
  if(NOT rc EQUAL 3 OR NOT err MATCHES "error: ${BTF}: is standalone BTF, but --base was given\n  hint: drop --base")
    fail("expected exit 3 and the standalone error, got ${rc}:\n${err}")
  endif()
  expect_work_dir_holds()

elseif(CASE STREQUAL "output_directory_missing")
  run_tool(--btf "${BTF}" -o "${WORK}/no/such/dir/vmlinux.h")
  if(NOT rc EQUAL 3 OR NOT err MATCHES "error: [^\n]*/no/such/dir/vmlinux.h: cannot create output: No such file or directory")
    fail("expected exit 3 and the output error, got ${rc}:\n${err}")
  endif()

elseif(CASE STREQUAL "output_is_directory")
  file(MAKE_DIRECTORY "${WORK}/vmlinux.h")
  run_tool(--btf "${BTF}" -o "${WORK}/vmlinux.h")
  if(NOT rc EQUAL 3 OR NOT err MATCHES "error: [^\n]*/vmlinux.h: cannot move output into place: Is a directory")
    fail("expected exit 3 and the rename error, got ${rc}:\n${err}")
  endif()
  expect_work_dir_holds(vmlinux.h)

elseif(CASE STREQUAL "zboot_image")
  generate("${WORK}/reference.h")
  mutate("${BTF}" "${WORK}/Image" arm64-image)
  mutate("${WORK}/Image" "${WORK}/vmlinuz.efi" zboot)
  expect_same_header("${WORK}/vmlinuz.efi" "${WORK}/reference.h")

elseif(CASE STREQUAL "zboot_truncated")
  mutate("${BTF}" "${WORK}/Image" arm64-image)
  mutate("${WORK}/Image" "${WORK}/full.efi" zboot)
  mutate("${WORK}/full.efi" "${WORK}/vmlinuz.efi" truncate=10000)
  expect_input_error("${WORK}/vmlinuz.efi" "EFI zboot kernel image whose payload lies outside the file")

elseif(CASE STREQUAL "corrupt_gzip_data")
  file(WRITE "${WORK}/content" "some kernel, long enough to scramble the middle of its compressed form: ")
  foreach(i RANGE 20)
    file(APPEND "${WORK}/content" "${i} and more, ")
  endforeach()
  file(ARCHIVE_CREATE OUTPUT "${WORK}/full.gz" PATHS "${WORK}/content" FORMAT raw COMPRESSION GZip)
  mutate("${WORK}/full.gz" "${WORK}/vmlinuz.gz" scramble)
  expect_input_error("${WORK}/vmlinuz.gz" "corrupt gzip data: ")

elseif(CASE STREQUAL "debian_arm64_package")
  # The sh block after "For another architecture" in docs/tools.md.
  file(READ "${TOOLS_DOC}" doc)
  string(FIND "${doc}" "For another architecture" at)
  string(SUBSTRING "${doc}" ${at} -1 doc)
  string(FIND "${doc}" "```sh\n" start)
  math(EXPR start "${start} + 6")
  string(SUBSTRING "${doc}" ${start} -1 doc)
  string(FIND "${doc}" "```" end)
  string(SUBSTRING "${doc}" 0 ${end} block)
  file(WRITE "${WORK}/block.sh" "set -eu\n${block}")
  get_filename_component(tool_dir "${TOOL}" DIRECTORY)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PATH=${tool_dir}:$ENV{PATH}" bash block.sh
    WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    if("${out}${err}" MATCHES "Failed to fetch|Temporary failure|Could not resolve|Unable to connect|Unable to locate package")
      message("${SKIP_MARK} no Debian mirror answers: ${err}")
      return()
    endif()
    fail("the documented commands failed (exit ${rc}):\n${out}${err}")
  endif()
  file(READ "${WORK}/vmlinux.h" header)
  if(NOT header MATCHES "struct user_pt_regs {")
    fail("the header from the arm64 package lacks arm64's struct user_pt_regs")
  endif()
  set(arch_flags "")
  if(ARCH_INCLUDE)
    set(arch_flags -idirafter "${ARCH_INCLUDE}")
  endif()
  execute_process(
    COMMAND "${CLANG}" -target bpf -O2 -g -D__TARGET_ARCH_arm64 -Wall -Werror
            -I "${WORK}" ${arch_flags} -c "${SOURCE}" -o "${WORK}/task_struct.bpf.o"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("a program does not compile against the arm64 vmlinux.h:\n${err}")
  endif()

elseif(CASE STREQUAL "ar_not_deb")
  file(WRITE "${WORK}/member.txt" "not a package\n")
  execute_process(COMMAND ar rc "${WORK}/archive.a" "${WORK}/member.txt" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("ar failed")
  endif()
  expect_input_error("${WORK}/archive.a" "an ar archive, but not a Debian package")

elseif(CASE STREQUAL "without_lzma")
  mutate("${BTF}" "${WORK}/Image" arm64-image)
  file(ARCHIVE_CREATE OUTPUT "${WORK}/vmlinuz.xz" PATHS "${WORK}/Image" FORMAT raw COMPRESSION XZ)
  set(TOOL "${WITHOUT_LZMA}")
  expect_input_error("${WORK}/vmlinuz.xz" "xz-compressed, and this bpfkit-vmlinux was built without liblzma")
  if(NOT err MATCHES "hint: install liblzma-dev and rebuild bpfkit, or decompress it yourself")
    fail("no hint in:\n${err}")
  endif()

elseif(CASE MATCHES "^deb_")
  if(NOT DPKG_DEB)
    message("${SKIP_MARK} dpkg-deb is not installed")
    return()
  endif()
  if(CASE STREQUAL "deb_package")
    # What `apt-get download linux-image-<version>-arm64` fetches: the
    # kernel as boot/vmlinuz-<version>, in an xz-compressed data.tar.
    generate("${WORK}/reference.h")
    file(MAKE_DIRECTORY "${WORK}/root/boot")
    mutate("${BTF}" "${WORK}/root/boot/vmlinuz-6.1.0-99-arm64" arm64-image)
    make_deb("${WORK}/root" linux-image-6.1.0-99-arm64 "${WORK}/linux-image.deb")
    expect_same_header("${WORK}/linux-image.deb" "${WORK}/reference.h")
  elseif(CASE STREQUAL "deb_dbg_package")
    file(MAKE_DIRECTORY "${WORK}/root/usr/lib/debug/boot")
    make_elf_with_kernel_btf("${WORK}/root/usr/lib/debug/boot/vmlinux-6.1.0-99-arm64")
    make_deb("${WORK}/root" linux-image-6.1.0-99-arm64-dbg "${WORK}/dbg.deb")
    expect_input_error("${WORK}/dbg.deb"
      "a -dbg package; its usr/lib/debug/boot/vmlinux-6.1.0-99-arm64 is an ELF vmlinux with the BTF")
    if(NOT err MATCHES "hint: pass the linux-image package itself, or extract the vmlinux: dpkg-deb -x ")
      fail("no hint in:\n${err}")
    endif()
  elseif(CASE MATCHES "^deb_(damaged|truncated)_tar$")
    # A package whose data.tar is damaged inside an intact ar archive.
    set(kind ${CMAKE_MATCH_1})
    file(MAKE_DIRECTORY "${WORK}/root/boot")
    mutate("${BTF}" "${WORK}/root/boot/vmlinuz-6.1.0-99-arm64" arm64-image)
    file(WRITE "${WORK}/debian-binary" "2.0\n")
    file(ARCHIVE_CREATE OUTPUT "${WORK}/full.tar" PATHS "${WORK}/root/boot"
         FORMAT gnutar)
    if(kind STREQUAL "damaged")
      file(WRITE "${WORK}/data.tar" "this is not a tar header, and it goes on and on ")
      foreach(i RANGE 40)
        file(APPEND "${WORK}/data.tar" "and on and on and on ")
      endforeach()
      set(expected "data.tar: a damaged tar archive \\(entry size\\)")
    else()
      mutate("${WORK}/full.tar" "${WORK}/data.tar" truncate=100000)
      set(expected "data.tar: a truncated tar archive")
    endif()
    execute_process(COMMAND ar rc "${WORK}/package.deb" "${WORK}/debian-binary" "${WORK}/data.tar"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      fail("ar failed")
    endif()
    expect_input_error("${WORK}/package.deb" "${expected}")
  elseif(CASE STREQUAL "deb_truncated")
    file(MAKE_DIRECTORY "${WORK}/root/boot")
    mutate("${BTF}" "${WORK}/root/boot/vmlinuz-6.1.0-99-arm64" arm64-image)
    make_deb("${WORK}/root" linux-image-6.1.0-99-arm64 "${WORK}/full.deb")
    mutate("${WORK}/full.deb" "${WORK}/cut.deb" truncate=50000)
    expect_input_error("${WORK}/cut.deb" "a damaged ar archive \\(member size\\)")
  else()
    file(MAKE_DIRECTORY "${WORK}/root/usr/share/doc/x")
    file(WRITE "${WORK}/root/usr/share/doc/x/README" "not a kernel\n")
    make_deb("${WORK}/root" not-a-kernel "${WORK}/other.deb")
    expect_input_error("${WORK}/other.deb" "a Debian package without a kernel image \\(boot/vmlinuz-\\*\\)")
  endif()

elseif(CASE STREQUAL "usage")
  run_tool(--btf "${BTF}")
  if(NOT rc EQUAL 2 OR NOT err MATCHES "error: missing -o OUT\nusage: bpfkit-vmlinux")
    fail("expected exit 2 and the usage for a missing -o, got ${rc}:\n${err}")
  endif()
  run_tool(--bogus -o "${WORK}/x.h")
  if(NOT rc EQUAL 2 OR NOT err MATCHES "error: unexpected argument '--bogus'\nusage: bpfkit-vmlinux")
    fail("expected exit 2 for an unknown option, got ${rc}:\n${err}")
  endif()
  run_tool(-o "${WORK}/x.h" --btf)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "error: --btf needs a value")
    fail("expected exit 2 for --btf without a value, got ${rc}:\n${err}")
  endif()
  run_tool(--btf= -o "${WORK}/x.h")
  if(NOT rc EQUAL 2 OR NOT err MATCHES "error: empty file name")
    fail("expected exit 2 for an empty file name, got ${rc}:\n${err}")
  endif()
  run_tool(--help)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^usage: bpfkit-vmlinux")
    fail("--help: expected exit 0 and the usage, got ${rc}:\n${out}${err}")
  endif()
  expect_work_dir_holds()

else()
  fail("unknown CASE '${CASE}'")
endif()
