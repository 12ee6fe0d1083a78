"""bpfkit's kernel matrix: boots other kernels under QEMU and runs a build
tree's BPF tests inside them, one boot per kernel (see docs/kernel-matrix.md).

Standard library only: the runner is installed with the package and runs on
any machine that has Python 3, QEMU and busybox-static.
"""
