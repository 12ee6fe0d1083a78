# Every clang compiles BPF (tests/projects/mixed: <linux/bpf.h>, which needs
# the host's multiarch <asm/types.h>, and vmlinux.h through the PCH), and
# BPF_CLANG is chosen the way CMake chooses a compiler. CASE:
#   <N>      -DBPF_CLANG=clang-<N> (a name, looked up on PATH)
#   env      the BPF_CLANG environment variable on the first configure
#   default  no BPF_CLANG: `clang` on PATH; then -DBPF_CLANG=clang-<N> on the
#            same tree detects the compiler again and rebuilds every object
# A clang that is not installed makes the test skip (CI installs 14, 16, 19).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")

function(require_clang name out_var)
  find_program(path NAMES ${name} NO_CACHE)
  if(NOT path)
    message("bpfkit-test-skip: ${name} is not installed")
    set(${out_var} "" PARENT_SCOPE)
  else()
    set(${out_var} "${path}" PARENT_SCOPE)
  endif()
endfunction()

# Every BPF compile of the tree used <clang> (the compile database says
# which compiler ran), and the PCH was made by it.
function(expect_compiled_with clang)
  file(READ "${bin}/compile_commands.json" commands)
  string(REGEX MATCHALL "\"command\": \"[^\"]*-target bpfel[^\"]*\"" bpf_commands "${commands}")
  list(LENGTH bpf_commands count)
  if(NOT count EQUAL 3)
    message(FATAL_ERROR "expected 3 BPF compiles in compile_commands.json, found ${count}:\n${commands}")
  endif()
  foreach(command IN LISTS bpf_commands)
    if(NOT command MATCHES "\"command\": \"${clang} ")
      message(FATAL_ERROR "a BPF compile did not use ${clang}: ${command}")
    endif()
  endforeach()
  file(READ "${bin}/CMakeCache.txt" cache)
  expect_match("${cache}" "\nBPF_CLANG:[A-Z]+=${clang}\n" "BPF_CLANG in CMakeCache.txt")
endfunction()

function(build_and_check clang)
  consumer_build("${bin}" OUTPUT out ENV BPFKIT_CC_EXPLAIN=1)
  expect_match("${out}" "with_vmlinux\\.bpf\\.c: using the vmlinux\\.h PCH" "bpfkit-cc's explanation")
  expect_match("${out}" "uapi_only\\.bpf\\.c: no PCH" "bpfkit-cc's explanation")
  if(NOT EXISTS "${bin}/mixed.bpf.o")
    message(FATAL_ERROR "mixed.bpf.o was not built")
  endif()
  expect_compiled_with("${clang}")
endfunction()

if(CASE MATCHES "^[0-9]+$")
  require_clang(clang-${CASE} clang)
  if(NOT clang)
    return()
  endif()
  consumer_configure("${PROJECTS_DIR}/mixed" "${bin}" NO_BPF_CLANG ARGS -DBPF_CLANG=clang-${CASE})
  build_and_check("${clang}")

elseif(CASE STREQUAL "env")
  require_clang(clang-16 clang)
  if(NOT clang)
    return()
  endif()
  consumer_configure("${PROJECTS_DIR}/mixed" "${bin}" NO_BPF_CLANG ENV BPF_CLANG=${clang})
  build_and_check("${clang}")
  # Like CC, the variable only chooses on the first configure.
  consumer_configure("${PROJECTS_DIR}/mixed" "${bin}" NO_BPF_CLANG ENV BPF_CLANG=/nonexistent/clang)
  expect_compiled_with("${clang}")

elseif(CASE STREQUAL "default")
  require_clang(clang default_clang)
  require_clang(clang-19 newer_clang)
  if(NOT default_clang OR NOT newer_clang)
    return()
  endif()
  consumer_configure("${PROJECTS_DIR}/mixed" "${bin}" NO_BPF_CLANG ENV --unset=BPF_CLANG)
  build_and_check("${default_clang}")
  consumer_configure("${PROJECTS_DIR}/mixed" "${bin}" NO_BPF_CLANG ARGS -DBPF_CLANG=clang-19 OUTPUT out)
  expect_match("${out}" "bpfkit: BPF_CLANG changed from ${default_clang} to clang-19: detecting the BPF compiler again"
    "reconfigure with another BPF_CLANG")
  expect_match("${out}" "Check for working BPF compiler: ${newer_clang} - works" "reconfigure with another BPF_CLANG")
  consumer_build("${bin}" OUTPUT out ENV BPFKIT_CC_EXPLAIN=1)
  compiled_sources("${out}" compiled)
  foreach(source with_vmlinux uapi_only define_first)
    expect_match("${compiled}" "${source}\\.bpf\\.c\\.o" "objects rebuilt with the new BPF_CLANG")
  endforeach()
  expect_compiled_with("${newer_clang}")

else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
