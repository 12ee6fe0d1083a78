# BpfHostDependencies: the host libraries bpfkit's tools and runtime use.
#
#   _bpfkit_find_host_dependencies()
#   _bpfkit_link_host_statically(<target> <out-var>)
#
# Creates the imported targets bpfkit::libbpf and bpfkit::libelf (via
# pkg-config, as Debian ships them) unless they already exist, so that the
# build tree and an installed bpfkitConfig.cmake find them the same way.
# A missing library is a configure error that names the package to install.
include_guard(GLOBAL)

# The library for a target that links its host libraries statically (sets
# the target property BPFKIT_STATIC_HOST_LIBS, as bpfkit-test does to start
# faster): the archive when there is one, else the shared library.
function(_bpfkit_link_host_library target shared_target archive)
  set(static "$<BOOL:$<TARGET_PROPERTY:BPFKIT_STATIC_HOST_LIBS>>")
  if(archive)
    target_link_libraries(${target} INTERFACE
      "$<$<NOT:${static}>:${shared_target}>" "$<${static}:${archive}>")
  else()
    target_link_libraries(${target} INTERFACE ${shared_target})
  endif()
endfunction()

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
  find_library(BPFKIT_${module}_ARCHIVE NAMES ${module}.a
    HINTS ${_bpfkit_${module}_LIBRARY_DIRS} DOC "Static ${module}, for bpfkit-test")
  _bpfkit_link_host_library(${target} PkgConfig::_bpfkit_${module} "${BPFKIT_${module}_ARCHIVE}")
endfunction()

# Links <target> fully statically when every archive it needs exists: a
# process that ctest starts per test then skips the dynamic loader's work.
# Sets <out_var> to TRUE when it did.
function(_bpfkit_link_host_statically target out_var)
  find_library(BPFKIT_c_ARCHIVE NAMES libc.a DOC "Static glibc")
  if(BPFKIT_libbpf_ARCHIVE AND BPFKIT_libelf_ARCHIVE AND BPFKIT_z_ARCHIVE AND BPFKIT_c_ARCHIVE)
    set_target_properties(${target} PROPERTIES BPFKIT_STATIC_HOST_LIBS ON)
    target_link_options(${target} PRIVATE -static)
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

function(_bpfkit_find_host_dependencies)
  _bpfkit_find_pkg(bpfkit::libelf libelf libelf-dev)
  _bpfkit_find_pkg(bpfkit::libbpf libbpf libbpf-dev)
  target_link_libraries(bpfkit::libbpf INTERFACE bpfkit::libelf)
  # Static libelf needs zlib, which its shared library brings by itself.
  find_library(BPFKIT_z_ARCHIVE NAMES libz.a DOC "Static zlib, for bpfkit-test")
  if(BPFKIT_z_ARCHIVE)
    target_link_libraries(bpfkit::libelf INTERFACE
      "$<$<BOOL:$<TARGET_PROPERTY:BPFKIT_STATIC_HOST_LIBS>>:${BPFKIT_z_ARCHIVE}>")
  endif()
endfunction()
