# BpfLanguage: enabling the BPF language where BPF targets are declared.
#
#   _bpfkit_enable_bpf_language()   (macro: it must set the caller's variables)
#
# enable_language() only serves the directory it runs in and those below, so
# a consumer that got bpfkit through add_subdirectory/FetchContent would have
# no BPF rules in its own directories. bpf_add_object() calls this first: it
# enables BPF in the caller's directory when that directory does not have it.
include_guard(GLOBAL)

macro(_bpfkit_enable_bpf_language)
  if(NOT CMAKE_BPF_COMPILE_OBJECT)
    # CMake finds the language files through CMAKE_MODULE_PATH; extend it only
    # for the duration of the call so the caller's path is left as it was.
    set(_bpfkit_saved_module_path "${CMAKE_MODULE_PATH}")
    get_property(_bpfkit_module_dir GLOBAL PROPERTY _BPFKIT_MODULE_DIR)
    list(PREPEND CMAKE_MODULE_PATH "${_bpfkit_module_dir}")
    enable_language(BPF)
    set(CMAKE_MODULE_PATH "${_bpfkit_saved_module_path}")
    unset(_bpfkit_saved_module_path)
    unset(_bpfkit_module_dir)
  endif()
endmacro()
