# CMakeTestBPFCompiler: checks once per build tree (and again when BPF_CLANG
# changes) that the BPF compiler really has the BPF target (a clang built
# without it fails only at the first compile, with "unknown target triple").
# The probe is compiled with the same base flags as every BPF source.
include("${CMAKE_CURRENT_LIST_DIR}/BpfCompileFlags.cmake")

if(NOT CMAKE_BPF_COMPILER_WORKS)
  set(_bpfkit_probe_dir "${CMAKE_PLATFORM_INFO_DIR}/BpfCompilerProbe")
  file(MAKE_DIRECTORY "${_bpfkit_probe_dir}")
  file(WRITE "${_bpfkit_probe_dir}/probe.bpf.c"
    "int bpfkit_probe(void *ctx) { return 0; }\n")
  _bpfkit_bpf_base_flags("${CMAKE_BPF_HOST_INCLUDE_DIRS}" _bpfkit_flags)
  separate_arguments(_bpfkit_user_flags UNIX_COMMAND "${CMAKE_BPF_FLAGS}")
  execute_process(
    COMMAND "${CMAKE_BPF_COMPILER}" ${_bpfkit_flags} ${_bpfkit_user_flags} -x c -c probe.bpf.c -o probe.o
    WORKING_DIRECTORY "${_bpfkit_probe_dir}"
    RESULT_VARIABLE _bpfkit_rc OUTPUT_VARIABLE _bpfkit_out ERROR_VARIABLE _bpfkit_out)
  if(NOT _bpfkit_rc EQUAL 0)
    message(FATAL_ERROR
      "bpfkit: '${CMAKE_BPF_COMPILER}' cannot compile for the BPF target:\n${_bpfkit_out}\n"
      "Install a clang with the BPF backend (Debian's clang has it: apt-get install clang),\n"
      "or choose one with -DBPF_CLANG=/path/to/clang.")
  endif()
  message(STATUS "Check for working BPF compiler: ${CMAKE_BPF_COMPILER} - works")
  set(CMAKE_BPF_COMPILER_WORKS TRUE CACHE INTERNAL "")
  unset(_bpfkit_probe_dir)
  unset(_bpfkit_flags)
  unset(_bpfkit_user_flags)
  unset(_bpfkit_rc)
  unset(_bpfkit_out)
endif()
