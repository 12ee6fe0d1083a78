# BpfCompileFlags: the flags every BPF compile starts with, written once.
#
#   _bpfkit_bpf_base_flags(<host-include-dirs> <out-var>)
#       -target bpfel|bpfeb -g -D__TARGET_ARCH_<arch>, then -idirafter for
#       each host include directory clang does not search for the BPF target
#       (CMAKE_BPF_HOST_INCLUDE_DIRS of CMakeBPFCompiler.cmake, passed as
#       one quoted list). A list; the compile rule
#       (CMakeBPFInformation.cmake) and the compiler check
#       (CMakeTestBPFCompiler.cmake) both use it, and the vmlinux.h PCH is built
#       by bpfkit-cc from the very command line of each compile.
#   _bpfkit_clang_search_dirs(<clang> <args> <out-var>)
#       The directories <clang> searches for #include <...> by default, with
#       the extra arguments <args> (a list, e.g. "-target;bpf").
#
# -g is not optional: BTF comes from debug info, and the link step rejects
# objects without it. The target's byte order is the kernel's (bpfeb for
# s390x...): a little-endian object would not load there.
include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/BpfTargetArch.cmake")

function(_bpfkit_bpf_base_flags host_include_dirs out_var)
  _bpfkit_bpf_target(arch endian)
  if(endian STREQUAL "big")
    set(triple bpfeb)
  else()
    set(triple bpfel)
  endif()
  set(flags -target ${triple} -g -D__TARGET_ARCH_${arch})
  foreach(dir IN LISTS host_include_dirs)
    list(APPEND flags -idirafter "${dir}")
  endforeach()
  set(${out_var} "${flags}" PARENT_SCOPE)
endfunction()

function(_bpfkit_clang_search_dirs clang args out_var)
  execute_process(COMMAND "${clang}" ${args} -E -v -x c -
    INPUT_FILE /dev/null OUTPUT_QUIET ERROR_VARIABLE text RESULT_VARIABLE rc)
  set(dirs "")
  if(rc EQUAL 0 AND text MATCHES "#include <\\.\\.\\.> search starts here:\n(.*)\nEnd of search list")
    string(REPLACE "\n" ";" lines "${CMAKE_MATCH_1}")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" dir)
      # macOS marks framework directories; nothing else follows a path.
      string(REGEX REPLACE " \\(framework directory\\)$" "" dir "${dir}")
      if(IS_DIRECTORY "${dir}")
        get_filename_component(dir "${dir}" ABSOLUTE)
        list(APPEND dirs "${dir}")
      endif()
    endforeach()
  endif()
  set(${out_var} "${dirs}" PARENT_SCOPE)
endfunction()
