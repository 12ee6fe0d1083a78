# Editing a header rebuilds exactly the objects that include it (directly or
# through an include directory); an unchanged tree rebuilds nothing, nor
# does a kernel BTF with a new time and the same bytes.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(rebuild src)
set(bin "${WORK_DIR}/build")
# The kernel's BTF as a file of our own, whose time the test can change.
set(btf_args "")
if(EXISTS /sys/kernel/btf/vmlinux)
  file(COPY_FILE /sys/kernel/btf/vmlinux "${WORK_DIR}/kernel.btf")
  set(btf_args "-DBPF_VMLINUX_BTF=${WORK_DIR}/kernel.btf")
endif()
consumer_configure("${src}" "${bin}" ARGS ${btf_args})
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

# The kernel BTF gets a new time and the same bytes, as sysfs gives
# /sys/kernel/btf/vmlinux after every boot: vmlinux.h is checked again, and
# no object is rebuilt (bpfkit-vmlinux leaves an up-to-date header alone).
if(btf_args)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
  file(TOUCH "${WORK_DIR}/kernel.btf")
  consumer_build("${bin}" OUTPUT touched)
  expect_no_match("${touched}" "Building BPF object|Linking|Precompiling"
    "a rebuild after the kernel BTF got a new time")
  consumer_build("${bin}" OUTPUT noop)
  expect_no_match("${noop}" "Building BPF object|Linking|Precompiling" "the no-op rebuild after that")
endif()
