# BpfLanguage: enabling the BPF language where BPF targets are declared.
#
#   _bpfkit_enable_bpf_language()   (macro: it must set the caller's variables)
#
# enable_language() only serves the directory it runs in and those below, and
# the variables it sets (the compile and link rules among them) live in the
# scope it was called from. A consumer that got bpfkit through
# add_subdirectory/FetchContent has no BPF rules in its own directories, and
# one that calls bpf_add_object() from inside its own function() would get
# rules that vanish when the function returns ("Missing variable
# CMAKE_BPF_COMPILE_OBJECT" at generate time). So bpf_add_object() calls
# this first:
#   - at directory scope, it enables BPF right there when the directory does
#     not have it yet;
#   - inside a function, it enables BPF there too (so the compiler is
#     detected and checked now), and schedules a copy of the language's
#     variables into the calling directory for the end of that directory
#     (cmake_language(DEFER)), where it runs at directory scope before
#     anything is generated. CMake refuses enable_language() in deferred
#     calls, hence the copy: the variables are those the first enabling set,
#     kept in global properties.
#
#   _bpfkit_check_generator()
#       A clear error for generators that cannot build a custom language.
#   _bpfkit_forget_changed_compiler()
#       When BPF_CLANG was changed on an existing build tree, makes the next
#       enable_language(BPF) detect and check the compiler again, as CMake
#       does when CMAKE_C_COMPILER changes.
include_guard(GLOBAL)

macro(_bpfkit_enable_bpf_language)
  if(NOT CMAKE_BPF_COMPILE_OBJECT)
    _bpfkit_enable_bpf_language_here()
    if(CMAKE_CURRENT_FUNCTION)
      _bpfkit_defer_language_variables()
    endif()
  endif()
endmacro()

macro(_bpfkit_enable_bpf_language_here)
  _bpfkit_check_generator()
  _bpfkit_forget_changed_compiler()
  # CMake finds the language files through CMAKE_MODULE_PATH; extend it only
  # for the duration of the call so the caller's path is left as it was.
  set(_bpfkit_saved_module_path "${CMAKE_MODULE_PATH}")
  get_property(_bpfkit_module_dir GLOBAL PROPERTY _BPFKIT_MODULE_DIR)
  list(PREPEND CMAKE_MODULE_PATH "${_bpfkit_module_dir}")
  enable_language(BPF)
  set(CMAKE_MODULE_PATH "${_bpfkit_saved_module_path}")
  unset(_bpfkit_saved_module_path)
  unset(_bpfkit_module_dir)
  _bpfkit_capture_language_variables()
endmacro()

# Records the BPF language's variables (the normal, non-cache variables
# enable_language(BPF) set: CMAKE_BPF_*, CMAKE_*_FLAG_BPF, ...) in global
# properties; not the user's launcher setting. A function sees its caller's
# variables.
function(_bpfkit_capture_language_variables)
  get_cmake_property(variables VARIABLES)
  set(names "")
  foreach(name IN LISTS variables)
    if(name MATCHES "^CMAKE_(BPF_.*|.*_BPF)$" AND NOT DEFINED CACHE{${name}}
       AND NOT name STREQUAL "CMAKE_BPF_COMPILER_LAUNCHER")
      list(APPEND names ${name})
      set_property(GLOBAL PROPERTY _BPFKIT_LANGUAGE_VALUE_${name} "${${name}}")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY _BPFKIT_LANGUAGE_VARIABLES "${names}")
endfunction()

# Once per directory: the deferred call runs at the end of the directory's
# CMakeLists.txt, at directory scope.
function(_bpfkit_defer_language_variables)
  get_property(deferred DIRECTORY PROPERTY _BPFKIT_BPF_LANGUAGE_DEFERRED)
  if(NOT deferred)
    set_property(DIRECTORY PROPERTY _BPFKIT_BPF_LANGUAGE_DEFERRED TRUE)
    cmake_language(DEFER CALL _bpfkit_set_language_variables)
  endif()
endfunction()

# A macro: its set() calls land in the scope it runs in, the directory's.
macro(_bpfkit_set_language_variables)
  if(NOT CMAKE_BPF_COMPILE_OBJECT)
    get_property(_bpfkit_names GLOBAL PROPERTY _BPFKIT_LANGUAGE_VARIABLES)
    foreach(_bpfkit_name IN LISTS _bpfkit_names)
      get_property(${_bpfkit_name} GLOBAL PROPERTY _BPFKIT_LANGUAGE_VALUE_${_bpfkit_name})
    endforeach()
    unset(_bpfkit_names)
    unset(_bpfkit_name)
  endif()
endmacro()

function(_bpfkit_check_generator)
  if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    return()
  endif()
  message(FATAL_ERROR
    "bpfkit: the ${CMAKE_GENERATOR} generator cannot build BPF objects.\n"
    "bpfkit compiles BPF as a CMake language of its own, and CMake's Visual Studio and "
    "Xcode generators build only their built-in languages. Use a Ninja or Makefile "
    "generator: -G Ninja, -G \"Ninja Multi-Config\" (several configurations in one tree) "
    "or -G \"Unix Makefiles\".")
endfunction()

function(_bpfkit_forget_changed_compiler)
  get_property(checked GLOBAL PROPERTY _BPFKIT_COMPILER_CHANGE_CHECKED)
  if(checked)
    return()
  endif()
  set_property(GLOBAL PROPERTY _BPFKIT_COMPILER_CHANGE_CHECKED TRUE)
  set(detected "${CMAKE_PLATFORM_INFO_DIR}/CMakeBPFCompiler.cmake")
  if(EXISTS "${detected}" AND NOT DEFINED _BPFKIT_DETECTED_BPF_CLANG)
    # Detected by an older bpfkit, which recorded less: detect again.
    file(REMOVE "${detected}")
    unset(CMAKE_BPF_COMPILER_WORKS CACHE)
    return()
  endif()
  if(NOT DEFINED _BPFKIT_DETECTED_BPF_CLANG OR NOT DEFINED CACHE{BPF_CLANG})
    return()
  endif()
  _bpfkit_resolve_bpf_clang("${BPF_CLANG}" wanted)
  if(wanted STREQUAL _BPFKIT_DETECTED_BPF_CLANG)
    return()
  endif()
  message(STATUS "bpfkit: BPF_CLANG changed from ${_BPFKIT_DETECTED_BPF_CLANG} to ${BPF_CLANG}: "
    "detecting the BPF compiler again (BPF objects will be rebuilt)")
  file(REMOVE "${detected}")
  unset(CMAKE_BPF_COMPILER_WORKS CACHE)
  unset(_BPFKIT_DETECTED_BPF_CLANG CACHE)
endfunction()

# The path a BPF_CLANG value names: itself when absolute, else looked up on
# PATH (BPF_CLANG=clang-16 works as CC=clang-16 does). Empty when not found.
function(_bpfkit_resolve_bpf_clang value out_var)
  if(IS_ABSOLUTE "${value}")
    set(path "${value}")
  else()
    # (find_program's NO_CACHE needs CMake 3.21: use a cache entry and drop it.)
    unset(_BPFKIT_CLANG_LOOKUP CACHE)
    find_program(_BPFKIT_CLANG_LOOKUP NAMES "${value}")
    set(path "${_BPFKIT_CLANG_LOOKUP}")
    unset(_BPFKIT_CLANG_LOOKUP CACHE)
    if(NOT path)
      set(path "")
    endif()
  endif()
  set(${out_var} "${path}" PARENT_SCOPE)
endfunction()
