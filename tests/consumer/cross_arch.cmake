# BPF objects for another arch from this host (tests/projects/cross), CASE
# being the BPF_TARGET_ARCH value and the expected byte order:
#   arm64:little  riscv64:little  s390:big  ppc64:big
# Every compile targets bpfel or bpfeb accordingly and defines
# __TARGET_ARCH_<arch>; the one-source object is an ELF of that byte order.
# The two-source object links too, or (while the link step cannot link
# objects of the other byte order) fails with the link step's error that
# says so -- never a silently little-endian object.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
string(REPLACE ":" ";" case "${CASE}")
list(GET case 0 arch)
list(GET case 1 endian)
set(kernel_arch_of_arm64 arm64)
set(kernel_arch_of_riscv64 riscv)
set(kernel_arch_of_s390 s390)
set(kernel_arch_of_ppc64 powerpc)
set(kernel_arch "${kernel_arch_of_${arch}}")
if(endian STREQUAL "big")
  set(triple bpfeb)
  set(elf_data "big endian")
else()
  set(triple bpfel)
  set(elf_data "little endian")
endif()

consumer_configure("${PROJECTS_DIR}/cross" "${bin}" ARGS "-DBPF_TARGET_ARCH=${arch}")
file(READ "${bin}/compile_commands.json" commands)
string(REGEX MATCHALL "\"command\": \"[^\n]*\\.bpf\\.c\"" bpf_commands "${commands}")
list(LENGTH bpf_commands count)
if(NOT count EQUAL 3)
  message(FATAL_ERROR "expected 3 BPF compiles, found ${count}:\n${commands}")
endif()
foreach(command IN LISTS bpf_commands)
  expect_match("${command}" " -target ${triple} -g -D__TARGET_ARCH_${kernel_arch} " "a BPF compile for ${arch}")
endforeach()

# The compile first (Ninja builds a file by its path), then the link.
function(expect_elf file)
  consumer_run(header rc readelf -h "${file}")
  expect_match("${header}" "Data: +2's complement, ${elf_data}" "readelf -h ${file}")
  expect_match("${header}" "Machine: +Linux BPF" "readelf -h ${file}")
endfunction()
consumer_build("${bin}" ARGS --target CMakeFiles/single_bpf.dir/probe.bpf.c.o)
expect_elf("${bin}/CMakeFiles/single_bpf.dir/probe.bpf.c.o")
consumer_build("${bin}" ARGS --target single_bpf)
expect_elf("${bin}/single.bpf.o")

consumer_run(out rc "${CMAKE_COMMAND}" --build "${bin}" --target pair_bpf)
if(rc EQUAL 0)
  consumer_run(header rc readelf -h "${bin}/pair.bpf.o")
  expect_match("${header}" "Data: +2's complement, ${elf_data}" "readelf -h pair.bpf.o")
elseif(endian STREQUAL "big")
  expect_match("${out}" "bpfkit-link: error: [^\n]*big-endian" "the link step's refusal of big-endian objects")
  if(EXISTS "${bin}/pair.bpf.o")
    message(FATAL_ERROR "a failed link left pair.bpf.o behind")
  endif()
else()
  message(FATAL_ERROR "building pair.bpf.o for ${arch} failed:\n${out}")
endif()
