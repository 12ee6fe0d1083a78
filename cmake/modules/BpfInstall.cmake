# BpfInstall: installs bpfkit as a CMake package.
#
# Layout under the prefix:
#   bin/bpfkit-*                        the host tools
#   share/bpfkit/bpf-include/bpfkit/... BPF-side headers (bpf/include)
#   lib/cmake/bpfkit/                   bpfkitConfig.cmake, BpfToolchain.cmake,
#                                       modules/, the exported tool targets
# A consumer writes find_package(bpfkit CONFIG REQUIRED) and gets the same
# bpf_* functions as with add_subdirectory().
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(_bpfkit_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/bpfkit")

install(EXPORT bpfkitTargets NAMESPACE bpfkit:: DESTINATION "${_bpfkit_cmake_dir}")
install(FILES
  "${PROJECT_SOURCE_DIR}/cmake/BpfToolchain.cmake"
  DESTINATION "${_bpfkit_cmake_dir}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/cmake/modules/"
  DESTINATION "${_bpfkit_cmake_dir}/modules")
# BPF-side headers live apart from host headers: a BPF compile must not see
# the host's include directory.
set(BPFKIT_INSTALL_BPF_INCLUDEDIR "${CMAKE_INSTALL_DATADIR}/bpfkit/bpf-include")
install(DIRECTORY DESTINATION "${BPFKIT_INSTALL_BPF_INCLUDEDIR}")
if(EXISTS "${PROJECT_SOURCE_DIR}/bpf/include")
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/bpf/include/"
    DESTINATION "${BPFKIT_INSTALL_BPF_INCLUDEDIR}")
endif()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/bpfkitConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/bpfkitConfig.cmake"
  INSTALL_DESTINATION "${_bpfkit_cmake_dir}"
  PATH_VARS BPFKIT_INSTALL_BPF_INCLUDEDIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/bpfkitConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
# The kernel matrix's runner, libexec/bpfkit/vm (bpf_add_kernel_matrix).
include("${PROJECT_SOURCE_DIR}/ci/vm/install.cmake")
install(FILES
  "${PROJECT_BINARY_DIR}/bpfkitConfig.cmake"
  "${PROJECT_BINARY_DIR}/bpfkitConfigVersion.cmake"
  DESTINATION "${_bpfkit_cmake_dir}")
unset(_bpfkit_cmake_dir)
