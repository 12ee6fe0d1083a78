# A consumer that builds its host code with sanitizers brings bpfkit in
# through add_subdirectory: bpfkit's per-object tools (bpfkit-cc,
# bpfkit-link, bpfkit-skel) and bpfkit-test, normally linked -static, must
# then link dynamically (the ASan/UBSan runtimes cannot be linked statically)
# and work. CASE:
#   build           tests/projects/readme with CMAKE_C_FLAGS, CMAKE_CXX_FLAGS
#                   and CMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined:
#                   configure, build, check that the tools, bpfkit-test and the
#                   consumer's skeleton program need libasan, then (as root)
#                   run the project's BPF test and the skeleton program.
# Configure only, reading how bpfkit-link and bpfkit-test are linked:
#   cxx_flags       -fsanitize= in CMAKE_CXX_FLAGS only: dynamic
#   linker_flags    -fsanitize= in CMAKE_EXE_LINKER_FLAGS only: dynamic
#   config_flags    -fsanitize= only in the flags of the build type in use
#                   (CMAKE_<LANG>_FLAGS_DEBUG, CMAKE_BUILD_TYPE=Debug): dynamic
#   other_config    -fsanitize= only in another build type's flags: static
#   multi_config    Ninja Multi-Config, -fsanitize= in one of its
#                   configurations' flags (CMAKE_CXX_FLAGS_RELEASE): dynamic
#                   (the link options are the same for every configuration)
#   target_options  add_compile_options/add_link_options(-fsanitize=address)
#                   in the consumer before add_subdirectory: dynamic
#   none            no sanitizer: static
# "static" is expected only where the static archives exist (bpfkit's cache
# says which); without them every case links dynamically anyway.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(readme src)
set(bin "${WORK_DIR}/build")
set(sanitize "-fsanitize=address,undefined")

set(before "")
if(CASE STREQUAL "target_options")
  set(before "add_compile_options(-fsanitize=address)\nadd_link_options(-fsanitize=address)\n")
endif()
consumer_readme_bpfkit_line("${src}"
  "${before}add_subdirectory(\"${BPFKIT_SOURCE_DIR}\" bpfkit EXCLUDE_FROM_ALL)" text)

# bpfkit's own sources are compiled in this tree: reuse earlier compiles.
# The flags come as cache variables only, not from the caller's environment
# (the sanitized suite sets CFLAGS/CXXFLAGS/LDFLAGS).
set(env --unset=CFLAGS --unset=CXXFLAGS --unset=LDFLAGS)
set(args "")
find_program(CCACHE ccache)
if(CCACHE)
  list(APPEND args "-DCMAKE_C_COMPILER_LAUNCHER=${CCACHE}" "-DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE}")
endif()

if(NOT CASE STREQUAL "build")
  # How each target links, as bpfkit decided it.
  string(APPEND text "
file(GENERATE OUTPUT \"\${CMAKE_BINARY_DIR}/link_modes.txt\" CONTENT
  \"bpfkit-link=$<BOOL:$<TARGET_PROPERTY:bpfkit-link,BPFKIT_STATIC_HOST_LIBS>>\\n\\
bpfkit-test=$<BOOL:$<TARGET_PROPERTY:bpfkit-test,BPFKIT_STATIC_HOST_LIBS>>\\n\")
")
  file(WRITE "${src}/CMakeLists.txt" "${text}")
  if(CASE STREQUAL "cxx_flags")
    list(APPEND args "-DCMAKE_CXX_FLAGS=${sanitize}")
    set(expect_static FALSE)
  elseif(CASE STREQUAL "linker_flags")
    list(APPEND args "-DCMAKE_EXE_LINKER_FLAGS=${sanitize}")
    set(expect_static FALSE)
  elseif(CASE STREQUAL "config_flags")
    list(APPEND args -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_DEBUG=-g ${sanitize}"
      "-DCMAKE_CXX_FLAGS_DEBUG=-g ${sanitize}" "-DCMAKE_EXE_LINKER_FLAGS_DEBUG=${sanitize}")
    set(expect_static FALSE)
  elseif(CASE STREQUAL "other_config")
    list(APPEND args -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_RELEASE=-O2 ${sanitize}"
      "-DCMAKE_CXX_FLAGS_RELEASE=-O2 ${sanitize}" "-DCMAKE_EXE_LINKER_FLAGS_RELEASE=${sanitize}")
    set(expect_static TRUE)
  elseif(CASE STREQUAL "multi_config")
    set(GENERATOR "Ninja Multi-Config")
    list(APPEND args "-DCMAKE_CXX_FLAGS_RELEASE=-O2 ${sanitize}")
    set(expect_static FALSE)
  elseif(CASE STREQUAL "target_options")
    set(expect_static FALSE)
  elseif(CASE STREQUAL "none")
    set(expect_static TRUE)
  else()
    message(FATAL_ERROR "unknown CASE '${CASE}'")
  endif()
  consumer_configure("${src}" "${bin}" ARGS ${args} ENV ${env})
  file(STRINGS "${bin}/CMakeCache.txt" archives REGEX "^BPFKIT_(libbpf|libelf|z|c)_ARCHIVE:")
  if(expect_static AND archives MATCHES "-NOTFOUND")
    message("bpfkit-test-skip: the static archives are missing here, so bpfkit links "
      "dynamically whatever the flags:\n${archives}")
    return()
  endif()
  file(READ "${bin}/link_modes.txt" modes)
  if(expect_static)
    set(expected "bpfkit-link=1\nbpfkit-test=1\n")
  else()
    set(expected "bpfkit-link=0\nbpfkit-test=0\n")
  endif()
  if(NOT modes STREQUAL expected)
    message(FATAL_ERROR "${CASE}: expected static linking (1) or not (0):\n${expected}got:\n${modes}")
  endif()
  return()
endif()

# CASE build: a skeleton program that runs count_packets through
# BPF_PROG_TEST_RUN instead of attaching it to an interface.
string(APPEND text "
add_executable(counter_run counter_run.cpp)
target_link_libraries(counter_run PRIVATE counter)
")
file(WRITE "${src}/CMakeLists.txt" "${text}")
file(WRITE "${src}/counter_run.cpp" [=[
#include <linux/bpf.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <vector>

#include "counter.skel.hpp"

int main() {
  try {
    auto skel = counter::skeleton::open_and_load();
    std::vector<std::uint8_t> packet(64, 0);
    bpfkit::test_run_opts opts;
    opts.data_in = packet;
    opts.repeat = 3;
    auto result = skel.progs.count_packets.test_run(opts);
    std::uint64_t packets = skel.maps.PACKET_COUNTER.lookup(0).value_or(0);
    std::printf("retval %u, PACKET_COUNTER[0] = %llu\n", result.retval,
                static_cast<unsigned long long>(packets));
    return result.retval == XDP_PASS && packets == 3 ? 0 : 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "counter_run: %s\n", e.what());
    return 1;
  }
}
]=])

list(APPEND args "-DCMAKE_C_FLAGS=${sanitize}" "-DCMAKE_CXX_FLAGS=${sanitize}"
  "-DCMAKE_EXE_LINKER_FLAGS=${sanitize}")
consumer_configure("${src}" "${bin}" ARGS ${args} ENV ${env})
consumer_build("${bin}")

# Executables anywhere under the build tree, by file name.
foreach(name bpfkit-cc bpfkit-link bpfkit-skel bpfkit-test counter_run)
  file(GLOB_RECURSE found "${bin}/${name}")
  list(LENGTH found count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "expected one ${name} under ${bin}, found: '${found}'")
  endif()
  set(${name}_path "${found}")
  consumer_run(out rc readelf -d "${found}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -d ${found} failed:\n${out}")
  endif()
  expect_match("${out}" "\\(NEEDED\\)[^\n]*libasan\\.so" "${name}: readelf -d (linked with ASan's shared runtime)")
endforeach()

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message("bpfkit-test-skip: the sanitized build passed; running its BPF programs needs root")
  return()
endif()
consumer_run(out rc ctest --test-dir "${bin}" --output-on-failure)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest failed in the sanitized consumer (exit ${rc}):\n${out}")
endif()
expect_match("${out}" "Test +#[0-9]+: counter\\.counts \\.+ +Passed" "ctest output")
consumer_run(out rc "${counter_run_path}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "counter_run failed (exit ${rc}):\n${out}")
endif()
expect_match("${out}" "retval 2, PACKET_COUNTER\\[0\\] = 3\n" "counter_run output")
