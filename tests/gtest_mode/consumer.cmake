# Projects that use bpf_add_test(GTEST) from an installed bpfkit (the
# variables of tests/cmake/ConsumerTest.cmake, plus CASE and MESSAGE):
#
#   CASE=consumer  projects/consumer configures, builds, and its GoogleTest
#                  cases run under its own ctest (passed, or skipped without
#                  privileges): bpfkit::testing works from the package
#   CASE=<mistake> projects/errors with that mistake fails to configure with
#                  MESSAGE (a regex)
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")

if(CASE STREQUAL "consumer")
  consumer_configure("${PROJECTS_DIR}/consumer" "${bin}")
  consumer_build("${bin}")
  consumer_run(listed rc "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" -N)
  expect_match("${listed}" "consumer_test\\.counter\\.counts_packets" "ctest -N of the consumer")
  expect_match("${listed}" "bpfkit\\.setup" "ctest -N of the consumer")
  consumer_run(out rc "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" --output-on-failure)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the consumer's tests failed (${rc}):\n${out}")
  endif()
  expect_match("${out}" "100% tests passed" "the consumer's ctest run")
  expect_match("${out}" "consumer_test\\.counter\\.counts_packets [.]* *(Passed|\\*\\*\\*Skipped)"
    "the consumer's ctest run")
else()
  consumer_configure("${PROJECTS_DIR}/errors" "${bin}" EXPECT_FAILURE OUTPUT out ARGS "-DCASE=${CASE}")
  # CMake wraps long messages: compare with whitespace runs folded to one space.
  string(REGEX REPLACE "[ \n]+" " " out "${out}")
  expect_match("${out}" "${MESSAGE}" "configure output of case ${CASE}")
endif()
