# Installs the kernel matrix's runner with the package (included by
# cmake/modules/BpfInstall.cmake):
#   libexec/bpfkit/vm/bpfkit-kernel-matrix, bpfkit_vm/*.py, init
#   lib/cmake/bpfkit/modules/BpfKernelMatrixRunner.cmake, which tells the
#     installed BpfKernelMatrix.cmake where the runner is, relative to itself
#     (the prefix may move).
include_guard(GLOBAL)
include(GNUInstallDirs)

set(_bpfkit_vm_dir "${CMAKE_INSTALL_LIBEXECDIR}/bpfkit/vm")
set(_bpfkit_vm_modules_dir "${_bpfkit_cmake_dir}/modules")  # BpfInstall.cmake's package directory
install(PROGRAMS "${CMAKE_CURRENT_LIST_DIR}/bpfkit-kernel-matrix" DESTINATION "${_bpfkit_vm_dir}")
install(FILES "${CMAKE_CURRENT_LIST_DIR}/init" DESTINATION "${_bpfkit_vm_dir}")
install(DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/bpfkit_vm" DESTINATION "${_bpfkit_vm_dir}"
  FILES_MATCHING PATTERN "*.py")

if(IS_ABSOLUTE "${_bpfkit_vm_dir}")
  set(_bpfkit_vm_location "${_bpfkit_vm_dir}")
else()
  file(RELATIVE_PATH _bpfkit_vm_relative "/prefix/${_bpfkit_vm_modules_dir}" "/prefix/${_bpfkit_vm_dir}")
  set(_bpfkit_vm_location "\${CMAKE_CURRENT_LIST_DIR}/${_bpfkit_vm_relative}")
endif()
file(WRITE "${PROJECT_BINARY_DIR}/BpfKernelMatrixRunner.cmake"
  "# Written by bpfkit's install: where the kernel matrix's runner is.\n"
  "get_filename_component(_bpfkit_vm_runner \"${_bpfkit_vm_location}/bpfkit-kernel-matrix\" ABSOLUTE)\n"
  "set_property(GLOBAL PROPERTY _BPFKIT_VM_RUNNER \"\${_bpfkit_vm_runner}\")\n"
  "unset(_bpfkit_vm_runner)\n")
install(FILES "${PROJECT_BINARY_DIR}/BpfKernelMatrixRunner.cmake" DESTINATION "${_bpfkit_vm_modules_dir}")
unset(_bpfkit_vm_dir)
unset(_bpfkit_vm_modules_dir)
unset(_bpfkit_vm_location)
unset(_bpfkit_vm_relative)
