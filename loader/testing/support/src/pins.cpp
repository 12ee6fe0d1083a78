#include "bpfkit/testing/pins.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bpfkit::testing {

std::string ensure_bpffs() {
  struct statfs fs {};
  if (::statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type == BPF_FS_MAGIC) return {};
  if (::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr) == 0) return {};
  return std::string("cannot mount bpffs at /sys/fs/bpf: ") + std::strerror(errno) +
         " (mount -t bpf bpf /sys/fs/bpf as root)";
}

std::string current_pin_root() {
  const char* chosen = std::getenv("BPFKIT_TEST_PIN_ROOT");
  return chosen && *chosen ? chosen : pin_root;
}

dir_fd open_pin_root(bool create) { return open_owned_pin_root(current_pin_root(), create); }

int remove_stale_pin_dirs() {
  dir_fd root = open_pin_root(false);
  if (!root) return 0;
  int removed = 0;
  // Entries are named <pid>-<test>; the root holds nothing else of bpfkit's.
  int listing_fd = ::dup(root.get());
  DIR* listing = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
  if (!listing) {
    if (listing_fd >= 0) ::close(listing_fd);
    return 0;
  }
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(listing)) names.emplace_back(entry->d_name);
  ::closedir(listing);
  for (const std::string& name : names) {
    char* end = nullptr;
    const long pid = std::strtol(name.c_str(), &end, 10);
    if (pid <= 0 || end == name.c_str() || *end != '-') continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (remove_tree_at(root.get(), name)) ++removed;
  }
  // The root itself goes when no test uses it any more (this runs after all
  // tests of the fixture); a live test's directory keeps it.
  const std::string path = current_pin_root();
  const std::size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash + 1 < path.size()) {
    try {
      dir_fd parent = open_pin_dir(slash == 0 ? "/" : path.substr(0, slash), pin_dir_use::read);
      ::unlinkat(parent.get(), path.substr(slash + 1).c_str(), AT_REMOVEDIR);
    } catch (const pin_path_error&) {
      // the parent is not on bpffs: leave the root
    }
  }
  return removed;
}

}  // namespace bpfkit::testing
