# vm.error.<case>: configuring tests/vm/errors with CASE fails with MESSAGE
# (a regex), against the installed bpfkit (tests/cmake/ConsumerTest.cmake).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_configure("${CMAKE_CURRENT_LIST_DIR}/errors" "${WORK_DIR}/build" EXPECT_FAILURE OUTPUT out
  ARGS "-DCASE=${CASE}")
string(REGEX REPLACE "[ \n]+" " " out "${out}")  # CMake wraps long messages
expect_match("${out}" "${MESSAGE}" "configure output of case ${CASE}")
