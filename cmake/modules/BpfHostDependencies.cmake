# BpfHostDependencies: the host libraries bpfkit's tools and runtime use.
#
#   _bpfkit_find_host_dependencies()
#   _bpfkit_link_host_statically(<target> <out-var>)
#       links <target> -static when the archives exist and no flag that
#       applies to it asks for a sanitizer
#   _bpfkit_libbpf_bpf_include_dirs(<out-var>)
#       libbpf's include directories for BPF compiles (<bpf/bpf_helpers.h>...)
#
# Creates the imported targets bpfkit::libbpf and bpfkit::libelf, so that the
# build tree and an installed bpfkitConfig.cmake find them the same way.
# libbpf comes from, in this order:
#   1. a target bpfkit::libbpf the project defined before bpfkit (a vendored
#      libbpf: add_library(bpfkit::libbpf ALIAS my_libbpf)); BPF compiles get
#      its INTERFACE_INCLUDE_DIRECTORIES;
#   2. LIBBPF_ROOT (cache or environment variable): a prefix with
#      include/bpf/libbpf.h and lib/libbpf.so or libbpf.a;
#   3. pkg-config's libbpf (as Debian ships it; PKG_CONFIG_PATH finds others).
# libelf comes from pkg-config unless bpfkit::libelf exists. A missing
# library is a configure error that names the package to install.
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

# Whether the flags <target> is compiled or linked with ask for a sanitizer:
# CMAKE_<LANG>_FLAGS and CMAKE_EXE_LINKER_FLAGS, their variants for the
# configurations built (CMAKE_BUILD_TYPE, or every CMAKE_CONFIGURATION_TYPES
# of a multi-config generator), and the target's own COMPILE_OPTIONS and
# LINK_OPTIONS (which add_compile_options/add_link_options initialize, as
# BPFKIT_SANITIZE and a consumer's own directories do).
function(_bpfkit_sanitizer_requested target out_var)
  set(flags "${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS} ${CMAKE_EXE_LINKER_FLAGS}")
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    set(configs ${CMAKE_CONFIGURATION_TYPES})
  else()
    set(configs ${CMAKE_BUILD_TYPE})
  endif()
  foreach(config IN LISTS configs)
    string(TOUPPER "${config}" config)
    string(APPEND flags " ${CMAKE_C_FLAGS_${config}} ${CMAKE_CXX_FLAGS_${config}}"
      " ${CMAKE_EXE_LINKER_FLAGS_${config}}")
  endforeach()
  foreach(property COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(options ${target} ${property})
    if(options)
      string(APPEND flags " ${options}")
    endif()
  endforeach()
  if(flags MATCHES "-fsanitize=")
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

# Links <target> fully statically when every archive it needs exists: a
# process that ctest starts per test then skips the dynamic loader's work.
# Sets <out_var> to TRUE when it did. Declines under sanitizer flags: the
# ASan/UBSan runtimes exist only as shared libraries for an executable's
# purposes, and -static with -fsanitize= does not link.
function(_bpfkit_link_host_statically target out_var)
  set(${out_var} FALSE PARENT_SCOPE)
  _bpfkit_sanitizer_requested(${target} sanitized)
  if(sanitized)
    return()
  endif()
  find_library(BPFKIT_c_ARCHIVE NAMES libc.a DOC "Static glibc")
  if(BPFKIT_libbpf_ARCHIVE AND BPFKIT_libelf_ARCHIVE AND BPFKIT_z_ARCHIVE AND BPFKIT_c_ARCHIVE)
    set_target_properties(${target} PROPERTIES BPFKIT_STATIC_HOST_LIBS ON)
    target_link_options(${target} PRIVATE -static)
    set(${out_var} TRUE PARENT_SCOPE)
  endif()
endfunction()

# libbpf under LIBBPF_ROOT: its headers and its library, found only there.
function(_bpfkit_find_libbpf_in_root root)
  # Results are cached per root: a changed LIBBPF_ROOT looks again.
  if(NOT "${root}" STREQUAL "${_BPFKIT_LIBBPF_ROOT_SEARCHED}")
    unset(BPFKIT_LIBBPF_INCLUDE_DIR CACHE)
    unset(BPFKIT_LIBBPF_LIBRARY CACHE)
    unset(BPFKIT_libbpf_ARCHIVE CACHE)
    set(_BPFKIT_LIBBPF_ROOT_SEARCHED "${root}" CACHE INTERNAL "")
  endif()
  find_path(BPFKIT_LIBBPF_INCLUDE_DIR bpf/libbpf.h PATHS "${root}/include"
    NO_DEFAULT_PATH DOC "libbpf's include directory (under LIBBPF_ROOT)")
  find_library(BPFKIT_LIBBPF_LIBRARY NAMES bpf PATHS "${root}/lib" "${root}/lib64"
    "${root}/lib/${CMAKE_LIBRARY_ARCHITECTURE}" NO_DEFAULT_PATH DOC "libbpf (under LIBBPF_ROOT)")
  find_library(BPFKIT_libbpf_ARCHIVE NAMES libbpf.a PATHS "${root}/lib" "${root}/lib64"
    "${root}/lib/${CMAKE_LIBRARY_ARCHITECTURE}" NO_DEFAULT_PATH DOC "Static libbpf, for bpfkit-test")
  if(NOT BPFKIT_LIBBPF_INCLUDE_DIR OR NOT BPFKIT_LIBBPF_LIBRARY)
    message(FATAL_ERROR
      "bpfkit: LIBBPF_ROOT is '${root}', but it holds no libbpf: expected "
      "${root}/include/bpf/libbpf.h and ${root}/lib/libbpf.so (or libbpf.a).\n"
      "Install libbpf there (make -C libbpf/src install PREFIX=${root}), or unset LIBBPF_ROOT "
      "to use pkg-config's libbpf.")
  endif()
  add_library(bpfkit::libbpf INTERFACE IMPORTED GLOBAL)
  set_target_properties(bpfkit::libbpf PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${BPFKIT_LIBBPF_INCLUDE_DIR}")
  _bpfkit_link_host_library(bpfkit::libbpf "${BPFKIT_LIBBPF_LIBRARY}" "${BPFKIT_libbpf_ARCHIVE}")
  set_property(GLOBAL PROPERTY _BPFKIT_LIBBPF_BPF_INCLUDE_DIRS "${BPFKIT_LIBBPF_INCLUDE_DIR}")
endfunction()

function(_bpfkit_find_libbpf)
  if(TARGET bpfkit::libbpf)
    # The project's own libbpf (an ALIAS, or an imported target).
    get_target_property(real bpfkit::libbpf ALIASED_TARGET)
    if(NOT real)
      set(real bpfkit::libbpf)
    endif()
    set_property(GLOBAL PROPERTY _BPFKIT_LIBBPF_BPF_INCLUDE_DIRS
      "$<TARGET_PROPERTY:${real},INTERFACE_INCLUDE_DIRECTORIES>")
    return()
  endif()
  set(LIBBPF_ROOT "$ENV{LIBBPF_ROOT}" CACHE PATH
    "Prefix of the libbpf to use (include/bpf/libbpf.h, lib/libbpf.so); empty: pkg-config's")
  if(LIBBPF_ROOT)
    _bpfkit_find_libbpf_in_root("${LIBBPF_ROOT}")
  else()
    if(_BPFKIT_LIBBPF_ROOT_SEARCHED)
      # LIBBPF_ROOT was emptied: forget what was found under it.
      unset(BPFKIT_libbpf_ARCHIVE CACHE)
      unset(_BPFKIT_LIBBPF_ROOT_SEARCHED CACHE)
    endif()
    _bpfkit_find_pkg(bpfkit::libbpf libbpf libbpf-dev)
    # pkg-config drops -I/usr/include from the flags; its includedir keeps it
    # (BPF compiles leave out the directories clang searches anyway).
    pkg_get_variable(includedir libbpf includedir)
    set_property(GLOBAL PROPERTY _BPFKIT_LIBBPF_BPF_INCLUDE_DIRS "${includedir}")
  endif()
  target_link_libraries(bpfkit::libbpf INTERFACE bpfkit::libelf)
endfunction()

function(_bpfkit_libbpf_bpf_include_dirs out_var)
  get_property(dirs GLOBAL PROPERTY _BPFKIT_LIBBPF_BPF_INCLUDE_DIRS)
  set(${out_var} "${dirs}" PARENT_SCOPE)
endfunction()

function(_bpfkit_find_host_dependencies)
  _bpfkit_find_pkg(bpfkit::libelf libelf libelf-dev)
  _bpfkit_find_libbpf()
  # Static libelf needs zlib, which its shared library brings by itself.
  find_library(BPFKIT_z_ARCHIVE NAMES libz.a DOC "Static zlib, for bpfkit-test")
  if(BPFKIT_z_ARCHIVE)
    target_link_libraries(bpfkit::libelf INTERFACE
      "$<$<BOOL:$<TARGET_PROPERTY:BPFKIT_STATIC_HOST_LIBS>>:${BPFKIT_z_ARCHIVE}>")
  endif()
endfunction()
