# BpfKernelMatrix: the project's BPF tests under other kernels, booted in QEMU.
#
#   bpf_add_kernel_matrix(KERNELS <kernel>... [LABELS <label>...] [TIMEOUT <seconds>]
#                         [BPF_COMPILERS <clang>...] [TESTS_REGEX <regex>]
#                         [TESTS_EXCLUDE_REGEX <regex>])
#
# registers one ctest test per kernel, vm.<kernel>, that boots that kernel
# once (QEMU, the host's root shared read-only) and runs the project's BPF
# tests (ctest label bpf: every bpf_add_test) inside it; its output lists each
# inner test's result, the boot and shutdown overhead, and the JUnit file it
# wrote (<build>/vm-results/<kernel>/junit.xml). A kernel is
#   host            the running kernel, no VM
#   5.10, 6.1, 6.12 a series: Debian's newest kernel of it, downloaded once
#                   into a cache shared by every build tree
#   5.10.0-28       one exact Debian kernel (its ABI name)
#   <name>=<dir>    a kernel of your own (vmlinuz and lib/modules/ in <dir>)
# BPF_COMPILERS builds the project again with each of those clangs (in
# <build>/vm-builds/<clang>, configured with this build's cache settings, at
# the start of each vm test) and runs their tests in the same boot.
# TESTS_REGEX runs only the BPF tests it matches, TESTS_EXCLUDE_REGEX not those it matches.
# TIMEOUT (default 1800) bounds each kernel's test, boot to power-off.
#
# The vm tests carry label vm (plus LABELS) and run when ctest is asked for
# them — `ctest -L vm`, `ctest -R vm.6.1` — or with BPFKIT_VM=1 in the
# environment; a plain `ctest` reports them skipped with that hint instead of
# spending minutes booting kernels. The cache variable (or, when configuring,
# environment variable) BPFKIT_TEST_KERNELS replaces the KERNELS list, e.g.
# -DBPFKIT_TEST_KERNELS=5.10,6.1; BPFKIT_VM_CACHE_DIR (cache) sets where
# kernels are kept for this build (default: BPFKIT_VM_CACHE from the
# environment, else ~/.cache/bpfkit/kernels).
include_guard(GLOBAL)

# The runner: beside the source tree's modules (ci/vm), or where the
# installed package put it (BpfKernelMatrixRunner.cmake, written at install).
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/BpfKernelMatrixRunner.cmake")
  include("${CMAKE_CURRENT_LIST_DIR}/BpfKernelMatrixRunner.cmake")
else()
  get_filename_component(_bpfkit_vm_runner "${CMAKE_CURRENT_LIST_DIR}/../../ci/vm/bpfkit-kernel-matrix" ABSOLUTE)
  set_property(GLOBAL PROPERTY _BPFKIT_VM_RUNNER "${_bpfkit_vm_runner}")
  unset(_bpfkit_vm_runner)
endif()

function(_bpfkit_matrix_error)
  list(JOIN ARGN "" message)
  message(FATAL_ERROR "bpf_add_kernel_matrix: ${message}")
endfunction()

# The ctest name of a kernel (vm.<name>), checked as the runner will.
function(_bpfkit_matrix_kernel_name kernel out_var)
  if(kernel MATCHES "^(host|[0-9]+\\.[0-9]+|[0-9]+\\.[0-9]+\\.[0-9]+[-+][0-9A-Za-z.+~]+)$")
    set(${out_var} "${kernel}" PARENT_SCOPE)
  elseif(kernel MATCHES "^([A-Za-z0-9_.+-]+)=(.+)$")
    set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    _bpfkit_matrix_error("'${kernel}' is not a kernel: use host, a series such as 5.10, 6.1 or 6.12, "
      "an exact Debian kernel such as 5.10.0-28, or <name>=<directory>.")
  endif()
endfunction()

function(bpf_add_kernel_matrix)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TIMEOUT;TESTS_REGEX;TESTS_EXCLUDE_REGEX"
    "KERNELS;LABELS;BPF_COMPILERS")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _bpfkit_matrix_error("unknown arguments: ${unknown}. It takes KERNELS, LABELS, TIMEOUT, "
      "BPF_COMPILERS, TESTS_REGEX and TESTS_EXCLUDE_REGEX.")
  endif()
  foreach(keyword KERNELS LABELS TIMEOUT BPF_COMPILERS TESTS_REGEX TESTS_EXCLUDE_REGEX)
    if(keyword IN_LIST arg_KEYWORDS_MISSING_VALUES)
      _bpfkit_matrix_error("${keyword} is given without a value.")
    endif()
  endforeach()

  set(kernels ${arg_KERNELS})
  if(NOT "$CACHE{BPFKIT_TEST_KERNELS}" STREQUAL "")
    string(REGEX REPLACE "[ ,;]+" ";" kernels "$CACHE{BPFKIT_TEST_KERNELS}")
  elseif(NOT "$ENV{BPFKIT_TEST_KERNELS}" STREQUAL "")
    string(REGEX REPLACE "[ ,;]+" ";" kernels "$ENV{BPFKIT_TEST_KERNELS}")
  endif()
  if(NOT kernels)
    _bpfkit_matrix_error("KERNELS is required: the kernels to run the BPF tests in, "
      "e.g. KERNELS host 5.10 6.1 6.12.")
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 1800)
  endif()
  if(NOT arg_TIMEOUT MATCHES "^[1-9][0-9]*$" OR arg_TIMEOUT LESS 60)
    _bpfkit_matrix_error("TIMEOUT must be a number of seconds, at least 60, not '${arg_TIMEOUT}'.")
  endif()
  # The runner stops a kernel that overruns itself, with the reason, before
  # ctest would kill it without one.
  math(EXPR runner_timeout "${arg_TIMEOUT} - 30")

  get_property(runner GLOBAL PROPERTY _BPFKIT_VM_RUNNER)
  set(command "${runner}" --when-asked --timeout ${runner_timeout}
    --build "${CMAKE_BINARY_DIR}" --results "${CMAKE_BINARY_DIR}/vm-results")
  if(NOT "$CACHE{BPFKIT_VM_CACHE_DIR}" STREQUAL "")
    list(APPEND command --cache "$CACHE{BPFKIT_VM_CACHE_DIR}")
  endif()
  if(DEFINED arg_TESTS_REGEX)
    list(APPEND command -R "${arg_TESTS_REGEX}")
  endif()
  if(DEFINED arg_TESTS_EXCLUDE_REGEX)
    list(APPEND command -E "${arg_TESTS_EXCLUDE_REGEX}")
  endif()
  foreach(compiler IN LISTS arg_BPF_COMPILERS)
    string(MAKE_C_IDENTIFIER "_bpfkit_matrix_clang_${compiler}" var)
    find_program(${var} NAMES "${compiler}" NO_CACHE)
    if(NOT ${var})
      _bpfkit_matrix_error("BPF_COMPILERS: '${compiler}' is not found (install it, or give its path).")
    endif()
    list(APPEND command --also-with "${${var}}")
  endforeach()

  foreach(kernel IN LISTS kernels)
    if(kernel MATCHES "^[A-Z][A-Z_]*$")
      _bpfkit_matrix_error("'${kernel}' is neither a kernel nor a keyword of bpf_add_kernel_matrix, "
        "which takes KERNELS, LABELS, TIMEOUT, BPF_COMPILERS, TESTS_REGEX and TESTS_EXCLUDE_REGEX.")
    endif()
    _bpfkit_matrix_kernel_name("${kernel}" name)
    get_property(registered GLOBAL PROPERTY _BPFKIT_VM_KERNELS)
    if(name IN_LIST registered)
      _bpfkit_matrix_error("kernel '${kernel}' is given twice (the test vm.${name} exists already).")
    endif()
    set_property(GLOBAL APPEND PROPERTY _BPFKIT_VM_KERNELS "${name}")
    add_test(NAME vm.${name} COMMAND ${command} --kernel "${kernel}")
    set_tests_properties(vm.${name} PROPERTIES
      LABELS "vm;${arg_LABELS}"
      SKIP_RETURN_CODE 77
      TIMEOUT ${arg_TIMEOUT}
      # One QEMU at a time: TCG wants every core.
      RESOURCE_LOCK bpfkit_vm
      ATTACHED_FILES_ON_FAIL "${CMAKE_BINARY_DIR}/vm-results/${name}/console.log")
  endforeach()
endfunction()
