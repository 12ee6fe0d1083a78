# The vmlinux.h PCH is equivalent to the compile it replaces
# (tests/projects/pch): one PCH per distinct set of flags, definitions such as
# BPF_NO_PRESERVE_ACCESS_INDEX and options such as -mcpu=v3 honoured, a
# project's own vmlinux.h compiled instead of bpfkit's, BPFKIT_CC_EXPLAIN
# saying why, and a no-op rebuild doing nothing.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
consumer_copy(pch src)
set(bin "${WORK_DIR}/build")
consumer_configure("${src}" "${bin}")
consumer_run(out rc "${CMAKE_COMMAND}" -E env BPFKIT_CC_EXPLAIN=1 "${CMAKE_COMMAND}" --build "${bin}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build failed:\n${out}")
endif()

# Four objects compile core_read.bpf.c with three sets of flags: three PCHs.
string(REGEX MATCHALL "core_read\\.bpf\\.c: using the vmlinux\\.h PCH [^\n]*" uses "${out}")
list(TRANSFORM uses REPLACE ".* PCH " "")
list(REMOVE_DUPLICATES uses)
list(LENGTH uses distinct)
if(NOT distinct EQUAL 3)
  message(FATAL_ERROR "expected 3 distinct PCHs for the 3 flag sets of core_read.bpf.c, got ${distinct}:\n${out}")
endif()

# The project's own vmlinux.h wins, and the explanation says why.
expect_match("${out}" "own_header\\.bpf\\.c: no PCH: #include \"vmlinux\\.h\" resolves to [^\n]*/own/include/vmlinux\\.h, not bpfkit's generated [^\n]*/bpfkit/vmlinux/vmlinux\\.h"
  "bpfkit-cc's explanation for own_header")
expect_match("${out}" "beside\\.bpf\\.c: no PCH: #include \"vmlinux\\.h\" resolves to [^\n]*/beside/vmlinux\\.h, not bpfkit's generated"
  "bpfkit-cc's explanation for beside")
find_program(BPFTOOL bpftool PATHS /usr/sbin /sbin NO_CACHE REQUIRED)
foreach(case own_header:own_header_marker beside:beside_marker)
  string(REPLACE ":" ";" case "${case}")
  list(GET case 0 object)
  list(GET case 1 marker)
  consumer_run(btf rc "${BPFTOOL}" btf dump file "${bin}/${object}.bpf.o")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "bpftool btf dump ${object}.bpf.o failed:\n${btf}")
  endif()
  # The layout of the project's header: 12 bytes, pid at offset 4.
  expect_match("${btf}" "STRUCT 'task_struct' size=12 vlen=3\n[^\n]*'${marker}' type_id=[0-9]+ bits_offset=0\n[^\n]*'pid' type_id=[0-9]+ bits_offset=32"
    "task_struct in the BTF of ${object}.bpf.o")
endforeach()

# BPF_NO_PRESERVE_ACCESS_INDEX reaches vmlinux.h: no CO-RE relocations.
btf_ext_core_relocations("${bin}/with_core.bpf.o" with_core)
btf_ext_core_relocations("${bin}/without_core.bpf.o" without_core)
btf_ext_core_relocations("${bin}/cpu_v3.bpf.o" cpu_v3)
if(NOT with_core GREATER 0 OR NOT cpu_v3 GREATER 0 OR NOT without_core EQUAL 0)
  message(FATAL_ERROR "CO-RE relocations: with_core ${with_core}, cpu_v3 ${cpu_v3} (both expected > 0), "
    "without_core ${without_core} (expected 0)")
endif()
# -mcpu=v3 reached the compile: it uses 32-bit subregisters (w1 = 0), which
# the default CPU (v1) does not have.
foreach(object with_core cpu_v3)
  consumer_run(asm_${object} rc llvm-objdump -d "${bin}/${object}.bpf.o")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "llvm-objdump -d ${object}.bpf.o failed:\n${asm_${object}}")
  endif()
endforeach()
expect_match("${asm_cpu_v3}" "\tw[0-9]+ = " "cpu_v3.bpf.o disassembly (32-bit subregisters)")
expect_no_match("${asm_with_core}" "\tw[0-9]+ = " "with_core.bpf.o disassembly (no 32-bit subregisters)")

consumer_build("${bin}" OUTPUT noop)
expect_no_match("${noop}" "Building BPF object|Linking|Generating" "a no-op rebuild")

# Editing the project's own vmlinux.h rebuilds the object that uses it, only.
execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
file(APPEND "${src}/own/include/vmlinux.h" "/* edited */\n")
consumer_build("${bin}" OUTPUT edit)
compiled_sources("${edit}" compiled)
expect_match("${compiled}" "own_header\\.bpf\\.c\\.o" "objects rebuilt after editing own/include/vmlinux.h")
expect_no_match("${compiled}" "core_read|beside" "objects rebuilt after editing own/include/vmlinux.h")
