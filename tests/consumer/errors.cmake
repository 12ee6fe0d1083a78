# One configure-time mistake (CASE): configuring must fail with MESSAGE (a
# regex) and leave no BPF object or test spec behind.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/errors" "${bin}" EXPECT_FAILURE OUTPUT out
  ARGS "-DCASE=${CASE}" ${EXTRA_ARGS})
# CMake wraps long messages: compare with whitespace runs folded to one space.
string(REGEX REPLACE "[ \n]+" " " out "${out}")
expect_match("${out}" "${MESSAGE}" "configure output of case ${CASE}")
file(GLOB_RECURSE objects "${bin}/*.bpf.o" "${bin}/*.bpftest")
if(objects)
  message(FATAL_ERROR "a failed configure left objects or test specs: ${objects}")
endif()
