# BpfVmlinux: vmlinux.h and its precompiled header.
#
#   _bpfkit_vmlinux_include_dir(<out-var>)
#       Directory holding the build tree's generated vmlinux.h (created once per
#       build tree by bpfkit-vmlinux from BPF_VMLINUX_BTF, regenerated when that
#       file changes). Empty when there is no BTF to generate it from.
#   _bpfkit_vmlinux_pch(<out-pch-var> <out-target-var> [OPTIONS <opt>...])
#       A precompiled vmlinux.h for the given compile options, shared by every
#       object compiled with the same language-affecting flags.
#
# vmlinux.h is ~3 MB of declarations: parsing it dominates a BPF compile.
# Clang rejects a PCH built with different language options (-std, -f...),
# so PCHs are keyed by those flags. Whether a source uses the PCH is decided
# at compile time by bpfkit-cc, which looks at its first #include.
include_guard(GLOBAL)

set(BPF_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH
  "Kernel BTF that vmlinux.h is generated from (raw BTF or an ELF with .BTF)")

function(_bpfkit_vmlinux_include_dir out_var)
  set(dir "${CMAKE_BINARY_DIR}/bpfkit/vmlinux")
  if(NOT TARGET _bpfkit_vmlinux_h)
    if(NOT EXISTS "${BPF_VMLINUX_BTF}")
      message(STATUS
        "bpfkit: no kernel BTF at '${BPF_VMLINUX_BTF}': sources that include vmlinux.h will not compile.\n"
        "   Set BPF_VMLINUX_BTF to a BTF file (e.g. from a kernel with CONFIG_DEBUG_INFO_BTF=y).")
      set(${out_var} "" PARENT_SCOPE)
      return()
    endif()
    file(MAKE_DIRECTORY "${dir}")
    add_custom_command(OUTPUT "${dir}/vmlinux.h"
      COMMAND bpfkit::bpfkit-vmlinux --btf "${BPF_VMLINUX_BTF}" -o "${dir}/vmlinux.h"
      DEPENDS "${BPF_VMLINUX_BTF}" bpfkit::bpfkit-vmlinux
      COMMENT "Generating vmlinux.h from ${BPF_VMLINUX_BTF}"
      VERBATIM)
    add_custom_target(_bpfkit_vmlinux_h DEPENDS "${dir}/vmlinux.h")
  endif()
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()

# The flags a PCH must share with the sources that use it: everything that
# reaches the compiler except warnings, defines and include directories
# (clang accepts those differing).
function(_bpfkit_pch_flags out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "OPTIONS")
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  separate_arguments(flags UNIX_COMMAND "${CMAKE_BPF_FLAGS} ${CMAKE_BPF_FLAGS_${config}}")
  list(APPEND flags ${arg_OPTIONS})
  list(FILTER flags EXCLUDE REGEX "^-(W|D|U|I)")
  set(${out_var} "${flags}" PARENT_SCOPE)
endfunction()

function(_bpfkit_vmlinux_pch out_pch out_target)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "OPTIONS")
  _bpfkit_vmlinux_include_dir(vmlinux_dir)
  if(NOT vmlinux_dir)
    set(${out_pch} "" PARENT_SCOPE)
    set(${out_target} "" PARENT_SCOPE)
    return()
  endif()
  _bpfkit_pch_flags(flags OPTIONS ${arg_OPTIONS})
  string(MD5 key "${CMAKE_BPF_COMPILER};${BPF_TARGET_ARCH};${flags}")
  string(SUBSTRING "${key}" 0 12 key)
  set(pch "${CMAKE_BINARY_DIR}/bpfkit/pch/${key}/vmlinux.h.pch")
  set(target _bpfkit_vmlinux_pch_${key})
  if(NOT TARGET ${target})
    get_filename_component(pch_dir "${pch}" DIRECTORY)
    file(MAKE_DIRECTORY "${pch_dir}")
    add_custom_command(OUTPUT "${pch}"
      COMMAND "${CMAKE_BPF_COMPILER}" -target bpf -g -D__TARGET_ARCH_${BPF_TARGET_ARCH}
              ${flags} -x c-header "${vmlinux_dir}/vmlinux.h" -o "${pch}"
      DEPENDS "${vmlinux_dir}/vmlinux.h"
      COMMENT "Precompiling vmlinux.h (${key})"
      VERBATIM)
    add_custom_target(${target} DEPENDS "${pch}")
    add_dependencies(${target} _bpfkit_vmlinux_h)
  endif()
  set(${out_pch} "${pch}" PARENT_SCOPE)
  set(${out_target} "${target}" PARENT_SCOPE)
endfunction()
