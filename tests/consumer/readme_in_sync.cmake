# The README's example project is tests/projects/readme, which
# cmake.consumer.* configure, build and test in every mode: the CMake block
# under "Using bpfkit in your project" must be its CMakeLists.txt, verbatim.
file(READ "${README}" readme)
string(FIND "${readme}" "## Using bpfkit in your project" at)
if(at LESS 0)
  message(FATAL_ERROR "README.md has no section 'Using bpfkit in your project'")
endif()
string(SUBSTRING "${readme}" ${at} -1 section)
if(NOT section MATCHES "```cmake\n(.*)```")
  message(FATAL_ERROR "README.md: no ```cmake block in 'Using bpfkit in your project'")
endif()
string(FIND "${CMAKE_MATCH_1}" "```" end)
string(SUBSTRING "${CMAKE_MATCH_1}" 0 ${end} block)
file(READ "${PROJECT}/CMakeLists.txt" project)
if(NOT block STREQUAL project)
  file(WRITE "${WORK_DIR}/readme-block.txt" "${block}")
  message(FATAL_ERROR "README.md's example differs from ${PROJECT}/CMakeLists.txt; compare with\n"
    "  diff ${WORK_DIR}/readme-block.txt ${PROJECT}/CMakeLists.txt")
endif()
