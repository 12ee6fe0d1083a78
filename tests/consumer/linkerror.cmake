# A link error surfaces through the build with bpfkit-link's message, the
# build fails, and no object is left for a later step to pick up.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/linkerror" "${bin}")
consumer_build("${bin}" EXPECT_FAILURE OUTPUT out)
expect_match("${out}" "bpfkit-link: error: [^\n]*second\\.bpf\\.c\\.o: program \"same_name\" is also defined in [^\n]*first\\.bpf\\.c\\.o" "build output")
file(GLOB leftovers "${bin}/dup.bpf.o*")
if(leftovers)
  message(FATAL_ERROR "a failed link left files behind: ${leftovers}")
endif()
