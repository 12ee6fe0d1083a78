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
# and static libraries through
#   _bpfkit_install_archives(<target>...)
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BPFKIT_INSTALL_LIBEXECDIR "${CMAKE_INSTALL_LIBEXECDIR}/bpfkit")

set(_bpfkit_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/bpfkit")

# _bpfkit_install_archives(<target>...): installs static libraries into
# lib/ and the export set. An install with stripping (`cmake --install
# --strip`, CPack's CPACK_STRIP_FILES) also strips their debug information,
# as Debian's dh_strip does: CMake strips only executables and shared
# libraries, and debug sections are most of each archive's bytes and most of
# what every consumer's link of bpfkit::bpfkit reads.
function(_bpfkit_install_archives)
  install(TARGETS ${ARGN} EXPORT bpfkitTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  if(NOT CMAKE_STRIP)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    install(CODE "
      if(CMAKE_INSTALL_DO_STRIP)
        set(_bpfkit_archive \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${target}>\")
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\${_bpfkit_archive}\"
          RESULT_VARIABLE _bpfkit_status)
        if(NOT _bpfkit_status EQUAL 0)
          message(FATAL_ERROR \"stripping the debug information of \${_bpfkit_archive} failed: \${_bpfkit_status}\")
        endif()
      endif()")
  endforeach()
endfunction()

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
