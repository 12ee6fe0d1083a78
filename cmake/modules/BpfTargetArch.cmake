# BpfTargetArch: which `__TARGET_ARCH_<arch>` a BPF compile defines.
#
#   _bpfkit_target_arch(<processor> <out-var>)
#
# libbpf's bpf_tracing.h picks the register layout of pt_regs from
# __TARGET_ARCH_<arch>; its names are the kernel's arch directories, not
# CMAKE_SYSTEM_PROCESSOR's spellings. An unknown processor is a configure
# error: a wrong define would compile and then read the wrong registers.
include_guard(GLOBAL)

function(_bpfkit_target_arch processor out_var)
  string(TOLOWER "${processor}" p)
  if(p MATCHES "^(x86_64|amd64|x64|i[3-6]86|x86)$")
    set(arch x86)
  elseif(p MATCHES "^(aarch64|arm64|armv8.*64)$")
    set(arch arm64)
  elseif(p MATCHES "^(arm|armv[4-8].*|armhf|armel)$")
    set(arch arm)
  elseif(p MATCHES "^s390x?$")
    set(arch s390)
  elseif(p MATCHES "^(ppc|ppc64|ppc64le|powerpc|powerpc64|powerpc64le)$")
    set(arch powerpc)
  elseif(p MATCHES "^riscv(32|64)?$")
    set(arch riscv)
  elseif(p MATCHES "^loongarch(32|64)?$")
    set(arch loongarch)
  elseif(p MATCHES "^mips(64)?(el|r6|r6el)?$")
    set(arch mips)
  elseif(p MATCHES "^sparc(64|v9)?$")
    set(arch sparc)
  else()
    message(FATAL_ERROR
      "bpfkit: cannot derive __TARGET_ARCH_<arch> for processor '${processor}'.\n"
      "Set BPF_TARGET_ARCH to one of: x86 arm64 arm s390 powerpc riscv loongarch mips sparc\n"
      "(the kernel arch of the machine the BPF programs will run on).")
  endif()
  set(${out_var} ${arch} PARENT_SCOPE)
endfunction()

# Validates an explicit BPF_TARGET_ARCH value (already a kernel arch name).
function(_bpfkit_check_target_arch arch)
  set(known x86 arm64 arm s390 powerpc riscv loongarch mips sparc)
  if(NOT arch IN_LIST known)
    message(FATAL_ERROR
      "bpfkit: BPF_TARGET_ARCH='${arch}' is not a supported BPF target arch.\n"
      "Use one of: ${known}.")
  endif()
endfunction()
