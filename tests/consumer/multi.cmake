# Two sources linked through an extern map and a __hidden function, with
# include directories, definitions and options on every compile.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/multi" "${bin}")
consumer_build("${bin}")

elf_sections("${bin}/multi.bpf.o" sections)
expect_match("${sections}" " \\.BTF " "sections of multi.bpf.o")
expect_match("${sections}" " \\.BTF\\.ext " "sections of multi.bpf.o")
expect_match("${sections}" " \\.maps " "sections of multi.bpf.o")

# Both sources were compiled with the definitions and options.
# CMake's Makefile generators export compile commands only for built-in
# languages; Ninja exports the BPF ones.
if(GENERATOR STREQUAL "Ninja")
  file(READ "${bin}/compile_commands.json" commands)
  foreach(source shared prog)
    foreach(flag "-DMULTI_SCALE=3" "-DMULTI_REQUIRED" "-I[^ ]*/multi/include" "-Wall -Werror")
      expect_match("${commands}" "${flag}[^\n]*${source}\\.bpf\\.c\"" "compile_commands.json entry of ${source}.bpf.c")
    endforeach()
  endforeach()
endif()

# The extern map resolved to one map; the hidden function became static.
consumer_run(symbols rc readelf -W -s "${bin}/multi.bpf.o")
string(REGEX MATCHALL "[^\n]* counts\n" map_symbols "${symbols}")
list(LENGTH map_symbols map_count)
if(NOT map_count EQUAL 1)
  message(FATAL_ERROR "expected one 'counts' map symbol, found ${map_count}:\n${symbols}")
endif()
expect_no_match("${symbols}" "UND[^\n]*(counts|scale)" "unresolved symbols in multi.bpf.o")
