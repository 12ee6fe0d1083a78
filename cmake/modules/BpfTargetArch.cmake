# BpfTargetArch: the machine BPF programs are compiled for.
#
#   _bpfkit_target_arch(<processor> <out-var>)
#       The kernel arch name (`__TARGET_ARCH_<arch>`) of a processor name.
#   _bpfkit_processor_endian(<processor> <out-var>)
#       little or big: the byte order a processor name states.
#   _bpfkit_bpf_target(<out-arch> <out-endian>)
#       The kernel arch and byte order of this build tree's BPF programs, from
#       the cache variables BPF_TARGET_ARCH and BPF_TARGET_ENDIAN.
#
# libbpf's bpf_tracing.h picks the register layout of pt_regs from
# __TARGET_ARCH_<arch>; its names are the kernel's arch directories, not
# CMAKE_SYSTEM_PROCESSOR's spellings. The byte order picks clang's target
# (bpfel or bpfeb): a BPF object must have the byte order of the kernel that
# loads it. An unknown processor, or an arch whose byte order is not known,
# is a configure error: a wrong guess would compile and then misbehave.
include_guard(GLOBAL)

function(_bpfkit_target_arch processor out_var)
  string(TOLOWER "${processor}" p)
  if(p MATCHES "^(x86_64|amd64|x64|i[3-6]86|x86)$")
    set(arch x86)
  elseif(p MATCHES "^(aarch64|aarch64_be|arm64|armv8.*64)$")
    set(arch arm64)
  elseif(p MATCHES "^(arm|armeb|armv[4-8].*|armhf|armel)$")
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

# The byte order a processor name states (CMAKE_SYSTEM_PROCESSOR spellings
# and GNU triplet prefixes): big for s390x, sparc, ppc64/powerpc,
# mips/mips64, armeb and aarch64_be, little otherwise.
function(_bpfkit_processor_endian processor out_var)
  string(TOLOWER "${processor}" p)
  if(p MATCHES "^(s390x?|sparc(64|v9)?|ppc|ppc64|powerpc|powerpc64|mips(64)?(r6)?|armeb|armv[4-8].*b|aarch64_be)$")
    set(${out_var} big PARENT_SCOPE)
  else()
    set(${out_var} little PARENT_SCOPE)
  endif()
endfunction()

function(_bpfkit_bpf_target out_arch out_endian)
  set(known x86 arm64 arm s390 powerpc riscv loongarch mips sparc)
  set(spelling "${BPF_TARGET_ARCH}")
  if(spelling IN_LIST known)
    set(arch "${spelling}")
    # The byte order of a kernel arch name, where it has only one.
    if(arch MATCHES "^(s390|sparc)$")
      set(stated big)
    elseif(arch MATCHES "^(powerpc|mips)$")
      set(stated "")
    else()
      set(stated little)
    endif()
  else()
    # A processor name (aarch64, ppc64le, s390x, riscv64, ...) is accepted too.
    string(TOLOWER "${spelling}" p)
    if(NOT p MATCHES "^(x86_64|amd64|x64|i[3-6]86|aarch64|aarch64_be|armv[4-8].*|armhf|armel|armeb|s390x|ppc|ppc64|ppc64le|powerpc|powerpc64|powerpc64le|riscv(32|64)|loongarch(32|64)|mips(64)?(el|r6|r6el)?|sparc(64|v9))$")
      message(FATAL_ERROR
        "bpfkit: BPF_TARGET_ARCH='${spelling}' is not a supported BPF target arch.\n"
        "Use one of: ${known} (kernel arch names), or a processor name such as "
        "x86_64, aarch64, s390x, ppc64le or riscv64.")
    endif()
    _bpfkit_target_arch("${p}" arch)
    _bpfkit_processor_endian("${p}" stated)
  endif()

  set(endian "${BPF_TARGET_ENDIAN}")
  if(endian AND NOT endian MATCHES "^(little|big)$")
    message(FATAL_ERROR
      "bpfkit: BPF_TARGET_ENDIAN='${endian}' must be little or big.")
  elseif(endian AND stated AND NOT endian STREQUAL stated)
    message(FATAL_ERROR
      "bpfkit: BPF_TARGET_ENDIAN=${endian} contradicts BPF_TARGET_ARCH=${spelling}, which is "
      "${stated}-endian. Leave BPF_TARGET_ENDIAN empty, or name the arch you mean.")
  elseif(NOT endian AND NOT stated)
    message(FATAL_ERROR
      "bpfkit: BPF_TARGET_ARCH=${spelling} runs little- and big-endian, and a BPF object "
      "must have the byte order of the kernel that loads it.\n"
      "Set -DBPF_TARGET_ENDIAN=little or -DBPF_TARGET_ENDIAN=big, or name the processor "
      "(ppc64le or ppc64, mipsel or mips).")
  elseif(NOT endian)
    set(endian "${stated}")
  endif()
  set(${out_arch} "${arch}" PARENT_SCOPE)
  set(${out_endian} "${endian}" PARENT_SCOPE)
endfunction()
