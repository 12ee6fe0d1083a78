# CMakeBPFInformation: the rules of the BPF language.
#
# Loaded by enable_language(BPF) in every directory that enables it (and at
# every configure). Compiling is clang with the base flags of
# BpfCompileFlags.cmake (-target bpfel|bpfeb -g -D__TARGET_ARCH_<arch> ...);
# the compiler writes gcc-style depfiles so header edits rebuild exactly
# their dependents. Linking is bpfkit's link step (tools/link), whose path
# BpfToolchain.cmake records in the global property _BPFKIT_LINK_TOOL.

include(CMakeInitializeConfigs)
include("${CMAKE_CURRENT_LIST_DIR}/BpfCompileFlags.cmake")

set(CMAKE_BPF_OUTPUT_EXTENSION .o)
set(CMAKE_INCLUDE_FLAG_BPF "-I")
set(CMAKE_INCLUDE_SYSTEM_FLAG_BPF "-isystem ")
set(CMAKE_BPF_DEFINE_FLAG "-D")

# Depfiles: Ninja reads them directly, Makefiles through CMake's gcc parser.
set(CMAKE_DEPFILE_FLAGS_BPF "-MD -MT <DEP_TARGET> -MF <DEP_FILE>")
set(CMAKE_BPF_DEPFILE_FORMAT gcc)
set(CMAKE_BPF_DEPENDS_USE_COMPILER TRUE)

# BPF code must be optimised to pass the verifier, whatever the build type.
set(CMAKE_BPF_FLAGS_INIT "-O2")
foreach(_bpfkit_config DEBUG RELEASE RELWITHDEBINFO MINSIZEREL)
  set(CMAKE_BPF_FLAGS_${_bpfkit_config}_INIT "")
endforeach()
unset(_bpfkit_config)
cmake_initialize_per_config_variable(CMAKE_BPF_FLAGS "Flags used by the BPF compiler")

# The machine the programs will run on: derived from the processor once per
# build tree, unless set. powerpc and mips run either byte order: the
# processor name says which.
if(NOT BPF_TARGET_ARCH)
  _bpfkit_target_arch("${CMAKE_SYSTEM_PROCESSOR}" _bpfkit_arch)
  set(BPF_TARGET_ARCH "${_bpfkit_arch}" CACHE STRING
    "Kernel arch the BPF programs target (defines __TARGET_ARCH_<arch>)")
  if(_bpfkit_arch MATCHES "^(powerpc|mips)$" AND NOT BPF_TARGET_ENDIAN)
    _bpfkit_processor_endian("${CMAKE_SYSTEM_PROCESSOR}" _bpfkit_endian)
    set(BPF_TARGET_ENDIAN "${_bpfkit_endian}" CACHE STRING
      "Byte order of the kernel the BPF programs target: little, big, or empty (from BPF_TARGET_ARCH)")
    unset(_bpfkit_endian)
  endif()
  unset(_bpfkit_arch)
endif()
set(BPF_TARGET_ENDIAN "" CACHE STRING
  "Byte order of the kernel the BPF programs target: little, big, or empty (from BPF_TARGET_ARCH)")

_bpfkit_bpf_base_flags("${CMAKE_BPF_HOST_INCLUDE_DIRS}" _bpfkit_flags)
set(_bpfkit_rule_flags "")
foreach(_bpfkit_flag IN LISTS _bpfkit_flags)
  if(_bpfkit_flag MATCHES " ")
    set(_bpfkit_flag "\"${_bpfkit_flag}\"")
  endif()
  string(APPEND _bpfkit_rule_flags " ${_bpfkit_flag}")
endforeach()
set(CMAKE_BPF_COMPILE_OBJECT
  "<CMAKE_BPF_COMPILER>${_bpfkit_rule_flags} <DEFINES> <INCLUDES> <FLAGS> -o <OBJECT> -c <SOURCE>")
unset(_bpfkit_flags)
unset(_bpfkit_flag)
unset(_bpfkit_rule_flags)

get_property(_bpfkit_link_tool GLOBAL PROPERTY _BPFKIT_LINK_TOOL)
if(NOT _bpfkit_link_tool)
  message(FATAL_ERROR
    "bpfkit: the BPF language was enabled without bpfkit's toolchain.\n"
    "Use find_package(bpfkit) or include(BpfToolchain) before enable_language(BPF).")
endif()
set(CMAKE_BPF_LINK_EXECUTABLE "\"${_bpfkit_link_tool}\" -o <TARGET> <OBJECTS>")
unset(_bpfkit_link_tool)

set(CMAKE_BPF_INFORMATION_LOADED 1)
