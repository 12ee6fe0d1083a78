# ConsumerTest: helpers for tests that configure and build a consumer project
# the way a user does (cmake -P scripts run by ctest).
#
# Every script gets from add_test:
#   BPFKIT_PREFIX     an installed bpfkit (find_package finds it there)
#   BPFKIT_SOURCE_DIR bpfkit's source tree (for add_subdirectory consumers)
#   PROJECTS_DIR      tests/projects
#   WORK_DIR          a scratch directory owned by this test (emptied first)
#   GENERATOR         the CMake generator to use
#   BPF_CLANG         the BPF compiler of bpfkit's own build

# Empties WORK_DIR, so every run starts from a clean build tree.
function(consumer_reset)
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}")
endfunction()

# Copies a project from tests/projects into WORK_DIR (tests that edit files
# must not touch the source tree).
function(consumer_copy project out_var)
  file(COPY "${PROJECTS_DIR}/${project}" DESTINATION "${WORK_DIR}/src")
  set(${out_var} "${WORK_DIR}/src/${project}" PARENT_SCOPE)
endfunction()

# Runs a command; its combined output goes to <out_var>, its exit code to
# <rc_var>.
# The text of <src>/CMakeLists.txt, a copy of tests/projects/readme, with
# the README's line that brings bpfkit in (find_package) replaced by
# <replacement> (empty: kept). Fails when the README project lost the line.
function(consumer_readme_bpfkit_line src replacement out_var)
  set(line "find_package(bpfkit CONFIG REQUIRED)     # or add_subdirectory(bpfkit) / FetchContent")
  file(READ "${src}/CMakeLists.txt" text)
  string(FIND "${text}" "${line}\n" at)
  if(at LESS 0)
    message(FATAL_ERROR "tests/projects/readme/CMakeLists.txt lost the line '${line}'")
  endif()
  if(NOT replacement STREQUAL "")
    string(REPLACE "${line}\n" "${replacement}\n" text "${text}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

function(consumer_run out_var rc_var)
  execute_process(COMMAND ${ARGN}
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

# Configures <source> into <binary> with the test's generator and bpfkit
# (and bpfkit's BPF_CLANG, unless NO_BPF_CLANG; ENV <var=value>... sets
# environment variables for the configure).
function(consumer_configure source binary)
  cmake_parse_arguments(PARSE_ARGV 2 arg "EXPECT_FAILURE;NO_BPF_CLANG" "OUTPUT" "ARGS;ENV")
  set(clang_arg "-DBPF_CLANG=${BPF_CLANG}")
  if(arg_NO_BPF_CLANG)
    set(clang_arg "")
  endif()
  consumer_run(out rc "${CMAKE_COMMAND}" -E env ${arg_ENV} "${CMAKE_COMMAND}" -S "${source}" -B "${binary}"
    -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${BPFKIT_PREFIX}" ${clang_arg}
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON ${arg_ARGS})
  if(arg_EXPECT_FAILURE AND rc EQUAL 0)
    message(FATAL_ERROR "configuring ${source} succeeded but should have failed:\n${out}")
  elseif(NOT arg_EXPECT_FAILURE AND NOT rc EQUAL 0)
    message(FATAL_ERROR "configuring ${source} failed (exit ${rc}):\n${out}")
  endif()
  if(arg_OUTPUT)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# Builds <binary>; the build output goes to OUTPUT (ENV as for
# consumer_configure).
function(consumer_build binary)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EXPECT_FAILURE" "OUTPUT" "ARGS;ENV")
  consumer_run(out rc "${CMAKE_COMMAND}" -E env ${arg_ENV} "${CMAKE_COMMAND}" --build "${binary}" ${arg_ARGS})
  if(arg_EXPECT_FAILURE AND rc EQUAL 0)
    message(FATAL_ERROR "building ${binary} succeeded but should have failed:\n${out}")
  elseif(NOT arg_EXPECT_FAILURE AND NOT rc EQUAL 0)
    message(FATAL_ERROR "building ${binary} failed (exit ${rc}):\n${out}")
  endif()
  if(arg_OUTPUT)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected to match '${regex}', got:\n${text}")
  endif()
endfunction()

function(expect_no_match text regex what)
  if(text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected no match for '${regex}', got:\n${text}")
  endif()
endfunction()

# The section names of an ELF file (readelf from binutils).
function(elf_sections file out_var)
  consumer_run(out rc readelf -W -S "${file}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -S ${file} failed:\n${out}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# The BPF objects (by file name) that a build output says were compiled.
function(compiled_sources build_output out_var)
  string(REGEX MATCHALL "Building BPF object [^\n]*" lines "${build_output}")
  set(${out_var} "${lines}" PARENT_SCOPE)
endfunction()

# A little-endian u32 at byte <offset> of a hex string (two digits a byte).
function(_hex_u32 hex offset out_var)
  math(EXPR at "(${offset}) * 2")
  set(value "")
  foreach(byte 3 2 1 0)
    math(EXPR pos "${at} + ${byte} * 2")
    string(SUBSTRING "${hex}" ${pos} 2 digits)
    string(APPEND value "${digits}")
  endforeach()
  math(EXPR value "0x${value}")
  set(${out_var} ${value} PARENT_SCOPE)
endfunction()

# The number of CO-RE relocations in a (little-endian) BPF object: the
# records of the core_relo part of its .BTF.ext section.
function(btf_ext_core_relocations object out_var)
  set(dump "${WORK_DIR}/btf_ext.bin")
  consumer_run(out rc llvm-objcopy "--dump-section=.BTF.ext=${dump}" "${object}" "${WORK_DIR}/btf_ext.o")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "llvm-objcopy --dump-section=.BTF.ext ${object} failed:\n${out}")
  endif()
  file(READ "${dump}" hex HEX)
  file(REMOVE "${dump}" "${WORK_DIR}/btf_ext.o")
  _hex_u32("${hex}" 4 header_len)
  set(count 0)
  if(header_len GREATER_EQUAL 32)
    _hex_u32("${hex}" 24 relo_off)
    _hex_u32("${hex}" 28 relo_len)
    math(EXPR at "${header_len} + ${relo_off}")
    math(EXPR end "${at} + ${relo_len}")
    if(relo_len GREATER 0)
      _hex_u32("${hex}" ${at} record_size)
      math(EXPR at "${at} + 4")
      while(at LESS end)
        _hex_u32("${hex}" "${at} + 4" records)
        math(EXPR count "${count} + ${records}")
        math(EXPR at "${at} + 8 + ${records} * ${record_size}")
      endwhile()
    endif()
  endif()
  set(${out_var} ${count} PARENT_SCOPE)
endfunction()
