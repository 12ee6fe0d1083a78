# bpf_precompile_skeleton_headers (tests/projects/host_pch): loaders in two
# directories share one precompiled header built once; a loader with other
# definitions compiles the headers as text (GCC ignores the PCH) and still
# builds; with clang++ as host compiler nothing is precompiled and all
# builds; the call's mistakes are configure errors naming the fix. And the
# thin link: a skeleton loader does not pull the coverage engine or the
# printk scanner of the static runtime.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(host_pch src)

# GCC: one PCH, reused by every loader that asked for it.
set(bin "${WORK_DIR}/gcc")
consumer_configure("${src}" "${bin}" ARGS -DCMAKE_CXX_COMPILER=g++)
consumer_build("${bin}" OUTPUT out ARGS -- -v)
file(GLOB_RECURSE pchs "${bin}/*.hxx.gch")
list(LENGTH pchs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one precompiled header in the tree, found ${count}: ${pchs}")
endif()
expect_match("${pchs}" "bpfkit_skeleton_pch\\.dir" "the precompiled header's target")
file(READ "${bin}/compile_commands.json" commands)
foreach(loader counter_loader counter_loader_defs events_loader events_loader_sub)
  expect_match("${commands}" "bpfkit_skeleton_pch\\.dir/cmake_pch\\.hxx[^\n]*/${loader}\\.cpp\""
    "compile command of ${loader} (forced include of the shared PCH)")
endforeach()
# The loader with other definitions: GCC says it did not use the PCH.
expect_match("${out}" "counter_loader_defs\\.cpp[^\n]*\n[^\n]*cmake_pch\\.hxx\\.gch[^\n]*not used"
  "build output (the PCH ignored for counter_loader_defs)")
expect_no_match("${out}" "counter_loader\\.cpp[^\n]*\n[^\n]*cmake_pch\\.hxx\\.gch[^\n]*not used"
  "build output (the PCH used for counter_loader)")
foreach(loader counter_loader counter_loader_defs events_loader events_loader_sub)
  if(NOT EXISTS "${bin}/${loader}" AND NOT EXISTS "${bin}/sub/${loader}")
    message(FATAL_ERROR "${loader} was not built")
  endif()
endforeach()

# The thin link: the loader has the runtime's open and load, not the
# coverage engine (bpfkit::coverage) nor the printk scanner.
find_program(NM nm REQUIRED)
consumer_run(symbols rc "${NM}" -C "${bin}/counter_loader")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm counter_loader failed:\n${symbols}")
endif()
expect_match("${symbols}" "bpfkit::object::load" "symbols of counter_loader")
expect_no_match("${symbols}" "bpfkit::coverage::|bpfkit::calls_printk|bpfkit::run_record::" "symbols of counter_loader")

# A second build does nothing (the PCH is not rebuilt).
consumer_build("${bin}" OUTPUT noop)
expect_no_match("${noop}" "Building|Linking" "a no-op rebuild")

# clang++: the call changes nothing, everything builds.
find_program(CLANGXX clang++ NO_CACHE)
if(CLANGXX)
  set(bin "${WORK_DIR}/clang")
  consumer_configure("${src}" "${bin}" ARGS "-DCMAKE_CXX_COMPILER=${CLANGXX}")
  consumer_build("${bin}")
  file(READ "${bin}/compile_commands.json" commands)
  expect_no_match("${commands}" "cmake_pch" "compile commands with clang++ (no PCH)")
  file(GLOB_RECURSE pchs "${bin}/*.hxx.pch" "${bin}/*.hxx.gch")
  if(pchs)
    message(FATAL_ERROR "with clang++ nothing is precompiled, found ${pchs}")
  endif()
endif()

# Mistakes.
foreach(case
    "not_a_target:bpf_precompile_skeleton_headers: 'no_such_loader' is not a target. Call it after add_executable"
    "object:bpf_precompile_skeleton_headers: 'counter' is not a target that compiles sources here .*Pass the executables or libraries that link it"
    "twice:bpf_precompile_skeleton_headers: 'counter_loader' already has precompiled headers"
    "none:bpf_precompile_skeleton_headers: no target given")
  string(REPLACE ":" ";" case "${case}")
  list(POP_FRONT case name)
  list(JOIN case ":" message)
  consumer_configure("${src}" "${WORK_DIR}/error_${name}" EXPECT_FAILURE OUTPUT out
    ARGS -DCMAKE_CXX_COMPILER=g++ -DHOST_PCH_CASE=${name})
  string(REGEX REPLACE "[ \n]+" " " flat "${out}")
  expect_match("${flat}" "${message}" "configure error ${name}")
endforeach()
