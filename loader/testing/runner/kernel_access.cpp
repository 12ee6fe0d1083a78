#include "kernel_access.hpp"

#include <bpf/bpf.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace bpfkit::testing {

bool can_load_bpf() {
  const bpf_insn program[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bpfkit_probe", "GPL", program, 2, nullptr);
  if (fd >= 0) {
    close(fd);
    return true;
  }
  return false;
}

std::string missing_privilege_reason() {
  return "loading BPF programs needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN "
         "(run ctest as root, e.g. sudo ctest)";
}

std::string ensure_bpffs() {
  struct statfs fs {};
  if (statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type == BPF_FS_MAGIC) return {};
  if (mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) == 0) return {};
  return std::string("cannot mount bpffs at /sys/fs/bpf: ") + std::strerror(errno) +
         " (mount -t bpf bpf /sys/fs/bpf as root)";
}

int remove_stale_pin_dirs() {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(pin_root, ec)) {
    const std::string name = entry.path().filename();
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
    if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH) continue;
    fs::remove_all(entry.path(), ec);
    if (!ec) ++removed;
  }
  // The root itself goes when no test uses it any more (this runs after all
  // tests of the fixture); a live test's directory keeps it.
  fs::remove(pin_root, ec);
  return removed;
}

}  // namespace bpfkit::testing
