# A one-source object builds to a .bpf.o with BTF and no DWARF, appears in
# compile_commands.json with -target bpf, and a second build does nothing.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/single" "${bin}")
consumer_build("${bin}")

set(object "${bin}/single.bpf.o")
if(NOT EXISTS "${object}")
  message(FATAL_ERROR "expected ${object} to be built")
endif()
elf_sections("${object}" sections)
expect_match("${sections}" " \\.BTF " "sections of single.bpf.o")
expect_match("${sections}" " \\.BTF\\.ext " "sections of single.bpf.o")
expect_match("${sections}" " xdp " "sections of single.bpf.o")
expect_no_match("${sections}" "\\.debug_" "sections of single.bpf.o (DWARF must be dropped)")

# CMake's Makefile generators export compile commands only for built-in
# languages; Ninja exports the BPF ones.
if(GENERATOR STREQUAL "Ninja")
  file(READ "${bin}/compile_commands.json" commands)
  expect_match("${commands}" "-target bpf[^\n]*probe\\.bpf\\.c" "compile_commands.json")
endif()

consumer_build("${bin}" OUTPUT noop)
expect_no_match("${noop}" "Building BPF object|Linking" "a no-op rebuild")
