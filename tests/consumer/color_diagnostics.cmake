# CMAKE_COLOR_DIAGNOSTICS reaches BPF compiles as it reaches C and C++:
# ON gives clang -fcolor-diagnostics (coloured warnings in a build log), OFF
# -fno-color-diagnostics, unset neither (tests/projects/single with a
# warning added, installed bpfkit).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(single src)
file(APPEND "${src}/probe.bpf.c" "\n#warning \"a warning to colour\"\n")
string(ASCII 27 esc)
foreach(setting ON OFF unset)
  set(bin "${WORK_DIR}/build-${setting}")
  set(args "")
  if(NOT setting STREQUAL "unset")
    set(args ARGS -DCMAKE_COLOR_DIAGNOSTICS=${setting})
  endif()
  consumer_configure("${src}" "${bin}" ${args})
  # The compile database (Ninja only: CMake's Makefile generators export it
  # for built-in languages alone) shows the flag.
  if(GENERATOR STREQUAL "Ninja")
    file(READ "${bin}/compile_commands.json" database)
    string(REGEX MATCH "\"command\": \"[^\"]*-target bpf[^\"]*probe\\.bpf\\.c[^\"]*\"" command "${database}")
    if(NOT command)
      message(FATAL_ERROR "no BPF compile of probe.bpf.c in ${bin}/compile_commands.json:\n${database}")
    endif()
    if(setting STREQUAL "ON")
      expect_match("${command}" " -fcolor-diagnostics" "CMAKE_COLOR_DIAGNOSTICS=ON: the BPF compile")
    elseif(setting STREQUAL "OFF")
      expect_match("${command}" " -fno-color-diagnostics" "CMAKE_COLOR_DIAGNOSTICS=OFF: the BPF compile")
    else()
      expect_no_match("${command}" "color-diagnostics" "CMAKE_COLOR_DIAGNOSTICS unset: the BPF compile")
    endif()
  endif()
  # Ninja strips escape sequences from a compiler's output unless told not to.
  consumer_build("${bin}" OUTPUT out ENV CLICOLOR_FORCE=1)
  expect_match("${out}" "warning: [^\n]*a warning to colour" "the build of ${setting}: the warning")
  # (Only the warning's line: make colours its own progress lines.)
  if(setting STREQUAL "ON")
    expect_match("${out}" "${esc}[^\n]*a warning to colour" "CMAKE_COLOR_DIAGNOSTICS=ON: the warning in colour")
  else()
    expect_no_match("${out}" "${esc}[^\n]*a warning to colour"
      "CMAKE_COLOR_DIAGNOSTICS=${setting}: the warning without colour")
  endif()
endforeach()
