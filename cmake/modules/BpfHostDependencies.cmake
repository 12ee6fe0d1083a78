# BpfHostDependencies: the host libraries bpfkit's tools and runtime use.
#
#   _bpfkit_find_host_dependencies()
#
# Creates the imported targets bpfkit::libbpf and bpfkit::libelf (via
# pkg-config, as Debian ships them) unless they already exist, so that the
# build tree and an installed bpfkitConfig.cmake find them the same way.
# A missing library is a configure error that names the package to install.
include_guard(GLOBAL)

function(_bpfkit_find_pkg target module debian_package)
  if(TARGET ${target})
    return()
  endif()
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(_bpfkit_${module} QUIET IMPORTED_TARGET GLOBAL ${module})
  endif()
  if(NOT _bpfkit_${module}_FOUND)
    message(FATAL_ERROR
      "bpfkit: ${module} was not found (pkg-config module '${module}').\n"
      "Install it with:  apt-get install ${debian_package} pkg-config\n"
      "or run bpfkit's ci/install-deps.sh.")
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  target_link_libraries(${target} INTERFACE PkgConfig::_bpfkit_${module})
endfunction()

function(_bpfkit_find_host_dependencies)
  _bpfkit_find_pkg(bpfkit::libelf libelf libelf-dev)
  _bpfkit_find_pkg(bpfkit::libbpf libbpf libbpf-dev)
  target_link_libraries(bpfkit::libbpf INTERFACE bpfkit::libelf)
endfunction()
