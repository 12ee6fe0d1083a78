# BpfCxx: C++ BPF sources (*.bpf.cpp) in bpf_add_object().
#
#   _bpfkit_cxx_object(<name> <bpf_target> SOURCES <path>...
#                      [INCLUDE_DIRECTORIES <dir>...])
#       Called by bpf_add_object() once the object's target exists. Does
#       nothing for an object without C++ sources (.cpp, .cc, .cxx). For one
#       with C++ sources:
#        - they compile as C++20 with GNU extensions, without exceptions or
#          RTTI, without autolink (its .linker-options section breaks the
#          static linker) or address-significance tables, with standalone
#          debug info (BTF needs every type complete);
#        - the object's include path starts with C++ views of the libbpf
#          headers it would otherwise find (bpfkit-cxx-headers) and of
#          vmlinux.h (bpfkit-vmlinux --cxx; target bpf_vmlinux_cxx_h, beside
#          bpf_vmlinux_h, and the header bpfkit-cc precompiles for the
#          object). In C a view includes the header it views, so the
#          object's C sources compile exactly as before;
#        - every compile of the object runs through `bpfkit-check --compile`,
#          which checks a C++ source and its object (names the kernel or
#          libbpf would refuse, kernel struct reads without CO-RE), gives the
#          object C's symbol names and linkage and its bpfkit/test.h
#          annotations, and passes C sources through untouched.
#   _bpfkit_cxx_sources(<out-var> <path>...)
#       The C++ sources among the paths.
#
# C++ sources need bpfkit-check, which bpfkit builds only where clang's C++
# API is installed (libclang-19-dev, llvm-19-dev): without it such an object is a
# configure error that says so.
include_guard(GLOBAL)

function(_bpfkit_cxx_sources out_var)
  set(cxx "")
  foreach(source IN LISTS ARGN)
    if(source MATCHES "\\.(cpp|cc|cxx)$")
      list(APPEND cxx "${source}")
    endif()
  endforeach()
  set(${out_var} "${cxx}" PARENT_SCOPE)
endfunction()

# The compile flags of C++ BPF sources (after the object's own options).
function(_bpfkit_cxx_compile_options out_var)
  set(${out_var}
    -std=gnu++20 -fno-exceptions -fno-rtti -fno-autolink -fno-addrsig -fstandalone-debug
    PARENT_SCOPE)
endfunction()

# The include root of the libbpf headers an object's compile finds: its own
# include directories first, then bpfkit's libbpf location, then clang's.
function(_bpfkit_cxx_libbpf_root name out_var)
  set(candidates "")
  foreach(dir IN LISTS ARGN)
    if(NOT dir MATCHES "\\$<")
      get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      list(APPEND candidates "${dir}")
    endif()
  endforeach()
  if(COMMAND _bpfkit_libbpf_bpf_include_dirs)
    _bpfkit_libbpf_bpf_include_dirs(libbpf_dirs)
    list(APPEND candidates ${libbpf_dirs})
  endif()
  # Then where clang searches by itself, as every BPF compile does
  # (CMakeDetermineBPFCompiler.cmake: the BPF target's own, then the host's).
  list(APPEND candidates ${CMAKE_BPF_IMPLICIT_INCLUDE_DIRECTORIES} ${CMAKE_BPF_HOST_INCLUDE_DIRS})
  foreach(dir IN LISTS candidates)
    if(EXISTS "${dir}/bpf/bpf_helpers.h")
      set(${out_var} "${dir}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  string(REPLACE ";" " " searched "${candidates}")
  message(FATAL_ERROR
    "bpf_add_object(${name}): no libbpf headers (bpf/bpf_helpers.h) in the include path of "
    "its C++ sources (searched ${searched}). Install them (apt-get install libbpf-dev) or add "
    "their directory to INCLUDE_DIRECTORIES.")
endfunction()

# C++ views of the libbpf headers under <root>, generated once per build tree
# and root. Sets <out-dir> to their include root and <out-target> to the
# target that makes them.
function(_bpfkit_cxx_header_views root out_dir out_target)
  string(MD5 key "${root}")
  string(SUBSTRING "${key}" 0 12 key)
  set(dir "${CMAKE_BINARY_DIR}/bpfkit/cxx-headers/${key}")
  set(target _bpfkit_cxx_headers_${key})
  if(NOT TARGET ${target})
    set(outputs "")
    set(inputs "")
    foreach(header IN ITEMS bpf_helpers bpf_helper_defs bpf_core_read bpf_tracing bpf_endian)
      list(APPEND outputs "${dir}/bpf/${header}.h")
      list(APPEND inputs "${root}/bpf/${header}.h")
    endforeach()
    add_custom_command(OUTPUT ${outputs}
      COMMAND bpfkit::bpfkit-cxx-headers --from "${root}" -o "${dir}"
      DEPENDS ${inputs} bpfkit::bpfkit-cxx-headers
      COMMENT "C++ views of the libbpf headers in ${root}"
      VERBATIM)
    add_custom_target(${target} DEPENDS ${outputs})
  endif()
  set(${out_dir} "${dir}" PARENT_SCOPE)
  set(${out_target} "${target}" PARENT_SCOPE)
endfunction()

# The C++ view of vmlinux.h, from the BTF the C one is made of (once per
# build tree; target bpf_vmlinux_cxx_h, like bpf_vmlinux_h for the C one).
# Empty when there is no BTF.
function(_bpfkit_cxx_vmlinux_dir out_dir)
  _bpfkit_vmlinux_include_dir(c_dir)
  if(NOT c_dir)
    set(${out_dir} "" PARENT_SCOPE)
    return()
  endif()
  set(dir "${CMAKE_BINARY_DIR}/bpfkit/vmlinux-cxx")
  if(NOT TARGET bpf_vmlinux_cxx_h)
    file(MAKE_DIRECTORY "${dir}")
    add_custom_command(OUTPUT "${dir}/vmlinux.h"
      COMMAND bpfkit::bpfkit-vmlinux --btf "${BPF_VMLINUX_BTF}" --cxx -o "${dir}/vmlinux.h"
      DEPENDS "${BPF_VMLINUX_BTF}" bpfkit::bpfkit-vmlinux
      COMMENT "Generating the C++ vmlinux.h from ${BPF_VMLINUX_BTF}"
      VERBATIM)
    add_custom_target(bpf_vmlinux_cxx_h DEPENDS "${dir}/vmlinux.h")
    _bpfkit_vmlinux_at_configure("${dir}/vmlinux.h" bpf_vmlinux_cxx_h --cxx)
  endif()
  set(${out_dir} "${dir}" PARENT_SCOPE)
endfunction()

function(_bpfkit_cxx_object name bpf_target)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SOURCES;INCLUDE_DIRECTORIES")
  _bpfkit_cxx_sources(cxx_sources ${arg_SOURCES})
  if(NOT cxx_sources)
    return()
  endif()
  _bpfkit_tool_location(bpfkit-check check_tool check_target)
  _bpfkit_tool_location(bpfkit-cxx-headers headers_tool unused)
  if(NOT check_tool OR NOT headers_tool)
    message(FATAL_ERROR
      "bpf_add_object(${name}): C++ sources (${cxx_sources}) need bpfkit-check, which this "
      "bpfkit was built without: it needs clang's C++ API. Install it "
      "(apt-get install libclang-19-dev llvm-19-dev) and rebuild bpfkit, or write the sources in C.")
  endif()
  if(CMAKE_BPF_COMPILER_VERSION VERSION_LESS 14)
    message(FATAL_ERROR
      "bpf_add_object(${name}): C++ BPF sources need clang 14 or newer; BPF_CLANG is "
      "clang ${CMAKE_BPF_COMPILER_VERSION}. Point BPF_CLANG at a newer clang.")
  endif()

  _bpfkit_cxx_compile_options(options)
  set_property(SOURCE ${cxx_sources} APPEND PROPERTY COMPILE_OPTIONS ${options})

  # The views come first: clang finds them before what they view. The C++
  # vmlinux.h is the one the object's sources find, so the PCH is made of it.
  _bpfkit_cxx_vmlinux_dir(vmlinux_dir)
  if(vmlinux_dir)
    target_include_directories(${bpf_target} SYSTEM BEFORE PRIVATE "${vmlinux_dir}")
    add_dependencies(${bpf_target} bpf_vmlinux_cxx_h)
    _bpfkit_object_compile_launcher(${bpf_target} VMLINUX "${vmlinux_dir}/vmlinux.h")
  endif()
  _bpfkit_cxx_libbpf_root(${name} libbpf_root ${arg_INCLUDE_DIRECTORIES})
  _bpfkit_cxx_header_views("${libbpf_root}" views_dir views_target)
  target_include_directories(${bpf_target} BEFORE PRIVATE "${views_dir}")
  add_dependencies(${bpf_target} ${views_target})

  get_target_property(launcher ${bpf_target} RULE_LAUNCH_COMPILE)
  if(NOT launcher)
    set(launcher "")
  endif()
  set_property(TARGET ${bpf_target} PROPERTY RULE_LAUNCH_COMPILE
    "\"${check_tool}\" --compile --compiler \"${CMAKE_BPF_COMPILER}\" -- ${launcher}")
  if(check_target)
    add_dependencies(${bpf_target} ${check_target})
  endif()
endfunction()
