# __TARGET_ARCH_<arch> is derived from the processor name for every arch
# libbpf knows; an unknown processor is an error, not a wrong define.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/modules/BpfTargetArch.cmake")
set(cases
  x86_64=x86 AMD64=x86 i686=x86 aarch64=arm64 arm64=arm64 armv7l=arm arm=arm
  s390x=s390 ppc64le=powerpc ppc64=powerpc powerpc=powerpc riscv64=riscv
  loongarch64=loongarch mips=mips mips64el=mips mipsel=mips sparc64=sparc sparc=sparc)
foreach(case IN LISTS cases)
  string(REPLACE "=" ";" pair "${case}")
  list(GET pair 0 processor)
  list(GET pair 1 expected)
  _bpfkit_target_arch("${processor}" arch)
  if(NOT arch STREQUAL expected)
    message(FATAL_ERROR "processor ${processor}: expected ${expected}, got ${arch}")
  endif()
endforeach()

file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(bad ia64 alpha "")
  file(WRITE "${WORK_DIR}/bad.cmake"
    "include(\"${CMAKE_CURRENT_LIST_DIR}/../../cmake/modules/BpfTargetArch.cmake\")\n"
    "_bpfkit_target_arch(\"${bad}\" arch)\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -P "${WORK_DIR}/bad.cmake"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(rc EQUAL 0 OR NOT err MATCHES "cannot derive __TARGET_ARCH_<arch> for processor '${bad}'.*Set BPF_TARGET_ARCH")
    message(FATAL_ERROR "processor '${bad}': expected a clear error, got (exit ${rc}):\n${err}")
  endif()
endforeach()
