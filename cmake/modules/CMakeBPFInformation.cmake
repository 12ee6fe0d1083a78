# CMakeBPFInformation: the rules of the BPF language.
#
# Loaded by enable_language(BPF) in every directory that enables it (and at
# every configure). Compiling is `clang -target bpf -g` with the target arch
# define; the compiler writes gcc-style depfiles so header edits rebuild
# exactly their dependents. Linking is bpfkit's link step (tools/link), whose
# path BpfToolchain.cmake records in the global property _BPFKIT_LINK_TOOL.

include(CMakeInitializeConfigs)
include(BpfTargetArch)

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

# __TARGET_ARCH_<arch>: the machine the programs will run on.
if(BPF_TARGET_ARCH)
  _bpfkit_check_target_arch("${BPF_TARGET_ARCH}")
else()
  _bpfkit_target_arch("${CMAKE_SYSTEM_PROCESSOR}" _bpfkit_arch)
  set(BPF_TARGET_ARCH "${_bpfkit_arch}" CACHE STRING
    "Kernel arch the BPF programs target (defines __TARGET_ARCH_<arch>)")
  unset(_bpfkit_arch)
endif()

# -g is not optional: BTF comes from debug info, and the link step rejects
# objects without it. The multiarch directory is searched last so that
# <linux/bpf.h> finds <asm/types.h> as on the host.
set(_bpfkit_bpf_base_flags "-target bpf -g -D__TARGET_ARCH_${BPF_TARGET_ARCH}")
if(CMAKE_BPF_HOST_MULTIARCH AND EXISTS "/usr/include/${CMAKE_BPF_HOST_MULTIARCH}")
  string(APPEND _bpfkit_bpf_base_flags " -idirafter /usr/include/${CMAKE_BPF_HOST_MULTIARCH}")
endif()
set(CMAKE_BPF_COMPILE_OBJECT
  "<CMAKE_BPF_COMPILER> ${_bpfkit_bpf_base_flags} <DEFINES> <INCLUDES> <FLAGS> -o <OBJECT> -c <SOURCE>")
unset(_bpfkit_bpf_base_flags)

get_property(_bpfkit_link_tool GLOBAL PROPERTY _BPFKIT_LINK_TOOL)
if(NOT _bpfkit_link_tool)
  message(FATAL_ERROR
    "bpfkit: the BPF language was enabled without bpfkit's toolchain.\n"
    "Use find_package(bpfkit) or include(BpfToolchain) before enable_language(BPF).")
endif()
set(CMAKE_BPF_LINK_EXECUTABLE "\"${_bpfkit_link_tool}\" -o <TARGET> <OBJECTS>")
unset(_bpfkit_link_tool)

set(CMAKE_BPF_INFORMATION_LOADED 1)
