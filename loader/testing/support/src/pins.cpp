#include "bpfkit/testing/pins.hpp"

#include <linux/magic.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace bpfkit::testing {

std::string ensure_bpffs() {
  struct statfs fs {};
  if (::statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type == BPF_FS_MAGIC) return {};
  if (::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) == 0) return {};
  return std::string("cannot mount bpffs at /sys/fs/bpf: ") + std::strerror(errno) +
         " (mount -t bpf bpf /sys/fs/bpf as root)";
}

int remove_stale_pin_dirs() {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pin_root, ec)) {
    const std::string name = entry.path().filename();
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    fs::remove_all(entry.path(), ec);
    if (!ec) ++removed;
  }
  // The root itself goes when no test uses it any more (this runs after all
  // tests of the fixture); a live test's directory keeps it.
  fs::remove(pin_root, ec);
  return removed;
}

}  // namespace bpfkit::testing
