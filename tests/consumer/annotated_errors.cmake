# A misspelled BPFKIT_MIN_KERNEL/BPFKIT_REQUIRES (CASE): the build fails when
# the annotated tests are listed, with MESSAGE (a regex) naming the program,
# and leaves no list of tests behind.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/annotated_errors" "${bin}" ARGS "-DCASE=${CASE}")
consumer_build("${bin}" EXPECT_FAILURE OUTPUT out)
string(REGEX REPLACE "[ \n]+" " " folded "${out}")
expect_match("${folded}" "${MESSAGE}" "build output of case ${CASE}")
file(GLOB_RECURSE listed "${bin}/bpfkit_tests/*_annotated*.cmake*")
if(listed)
  message(FATAL_ERROR "a failed listing left files behind: ${listed}")
endif()
