# BpfInstall: the install layout of bpfkit and its CMake package.
#
# Layout under the prefix:
#   bin/bpfkit                          the CLI, the one command users type
#   libexec/bpfkit/bpfkit-*             the tools the build and ctest run
#                                       (link, cc, vmlinux, skel, test,
#                                       baseline): reached through the exported
#                                       bpfkit:: targets, never through PATH
#   include/bpfkit/, lib/libbpfkit*.a   the runtime library and bpfkit::testing
#   share/bpfkit/bpf-include/bpfkit/... BPF-side headers (bpf/include)
#   lib/cmake/bpfkit/                   bpfkitConfig.cmake, BpfToolchain.cmake,
#                                       modules/, the exported targets
#   share/man/man1, share/bash-completion  man pages and completion (packaging/)
# A consumer writes find_package(bpfkit CONFIG REQUIRED) and gets the same
# bpf_* functions as with add_subdirectory().
#
# Included before the targets are defined: they install themselves to
#   BPFKIT_INSTALL_LIBEXECDIR   libexec/bpfkit (relative to the prefix)
# and static libraries through _bpfkit_install_archives (BpfInstallArchives).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BPFKIT_INSTALL_LIBEXECDIR "${CMAKE_INSTALL_LIBEXECDIR}/bpfkit")

set(_bpfkit_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/bpfkit")
include("${CMAKE_CURRENT_LIST_DIR}/BpfInstallArchives.cmake")

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
