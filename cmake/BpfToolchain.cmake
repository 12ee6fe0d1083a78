# BpfToolchain: the entry point of bpfkit's CMake side.
#
# Included by bpfkit's own CMakeLists.txt (build tree, also as a subproject
# via add_subdirectory/FetchContent) or by the installed bpfkitConfig.cmake.
# It locates bpfkit's host tools, enables the BPF language in the including
# directory and defines the public functions:
#
#   bpf_add_object(<name> SOURCES ... [INCLUDE_DIRECTORIES ...]
#                  [COMPILE_DEFINITIONS ...] [COMPILE_OPTIONS ...] [NO_SKELETON])
#   bpf_add_test(...), bpf_verifier_baseline(...)
#
# Cache variables: BPF_CLANG (the compiler), BPF_VMLINUX_BTF (BTF that
# vmlinux.h is generated from), BPF_TARGET_ARCH and BPF_TARGET_ENDIAN (the
# target kernel's arch and byte order), LIBBPF_ROOT (BpfHostDependencies).
#
# Every function works the same from any directory of the consumer and from
# inside the consumer's own functions: what they need is kept in global
# properties and cache variables, never in directory-scoped variables.
include_guard(GLOBAL)

set_property(GLOBAL PROPERTY _BPFKIT_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}/modules")
# bpfkit's BPF-side headers: the source tree's, or the installed copy that
# bpfkitConfig.cmake names.
if(NOT DEFINED BPFKIT_BPF_INCLUDE_DIR)
  get_filename_component(BPFKIT_BPF_INCLUDE_DIR "${CMAKE_CURRENT_LIST_DIR}/../bpf/include" ABSOLUTE)
endif()
set_property(GLOBAL PROPERTY _BPFKIT_BPF_INCLUDE_DIR "${BPFKIT_BPF_INCLUDE_DIR}")

foreach(_bpfkit_module IN ITEMS BpfTools BpfNames BpfTargetArch BpfCompileFlags BpfLanguage
    BpfVmlinux BpfSkeleton BpfObjectTargets BpfCxx BpfObject BpfTest BpfTestGtest BpfVerifierBaseline
    BpfKernelMatrix BpfCoverage BpfHostPch)
  include("${CMAKE_CURRENT_LIST_DIR}/modules/${_bpfkit_module}.cmake")
endforeach()
unset(_bpfkit_module)

_bpfkit_locate_tools()
_bpfkit_enable_bpf_language()
