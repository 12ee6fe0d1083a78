# The C++ pitfalls (tests/cxx/pitfalls), built the way a user builds:
#   STEP=configure  configures the pitfalls project against the installed
#                   bpfkit (a fixture: every case builds in that tree)
#   STEP=<case>     builds <case>_bpf: the build must fail with the error
#                   marked `// error: <regex>` in its files (<case>.bpf.cpp,
#                   or those of the directory <case>/ for a case that needs
#                   a header of its own), at that line, with a fix, and
#                   leave no object behind
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
set(bin "${WORK_DIR}/build")
set(project "${CMAKE_CURRENT_LIST_DIR}/pitfalls")

if(STEP STREQUAL "configure")
  consumer_reset()
  consumer_configure("${project}" "${bin}")
  return()
endif()

if(IS_DIRECTORY "${project}/${STEP}")
  file(GLOB files "${project}/${STEP}/*")
else()
  set(files "${project}/${STEP}.bpf.cpp")
endif()
set(source "")
foreach(file IN LISTS files)
  file(STRINGS "${file}" lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "// error: (.*)$")
      set(source "${file}")
      set(marked "${number}")
      set(expected "${CMAKE_MATCH_1}")
      break()
    endif()
  endforeach()
  if(source)
    break()
  endif()
endforeach()
if(NOT source)
  message(FATAL_ERROR "no `// error: <regex>` marker in ${files}")
endif()

consumer_build("${bin}" EXPECT_FAILURE OUTPUT out ARGS --target ${STEP}_bpf)
string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" where "${source}:${marked}")
expect_match("${out}" "${where}:[0-9]+: error: ${expected}" "the build of ${STEP}")
expect_match("${out}" "${where}:[0-9]+: note: fix: [^\n]+" "the fix of ${STEP}")
file(GLOB_RECURSE objects "${bin}/*${STEP}.bpf.cpp.o" "${bin}/${STEP}.bpf.o")
if(objects)
  message(FATAL_ERROR "the failed build of ${STEP} left objects behind: ${objects}")
endif()
