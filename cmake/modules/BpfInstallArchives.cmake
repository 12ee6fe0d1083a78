# BpfInstallArchives: how bpfkit's static libraries install.
#
#   _bpfkit_install_archives(<target>...)
#
# Apart from BpfInstall (the whole layout and the package) so that projects
# built from parts of bpfkit's tree (tests/fuzz/targets) can define the
# libraries with their own CMakeLists.txt.
include_guard(GLOBAL)
include(GNUInstallDirs)

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
