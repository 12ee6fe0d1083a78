# Editing a header rebuilds exactly the objects that include it (directly or
# through an include directory); an unchanged tree rebuilds nothing.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(rebuild src)
set(bin "${WORK_DIR}/build")
consumer_configure("${src}" "${bin}")
consumer_build("${bin}")

# Timestamps must differ from the first build's outputs.
execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
file(APPEND "${src}/shared.h" "/* edited */\n")
consumer_build("${bin}" OUTPUT edit)
compiled_sources("${edit}" compiled)
expect_match("${compiled}" "uses_header\\.bpf\\.c\\.o" "objects rebuilt after editing shared.h")
expect_match("${compiled}" "uses_include_dir\\.bpf\\.c\\.o" "objects rebuilt after editing shared.h")
expect_no_match("${compiled}" "plain\\.bpf\\.c\\.o" "objects rebuilt after editing shared.h")
expect_no_match("${edit}" "Linking[^\n]*without_header" "links after editing shared.h")

consumer_build("${bin}" OUTPUT noop)
expect_no_match("${noop}" "Building BPF object|Linking|Generating|Precompiling" "a no-op rebuild")
