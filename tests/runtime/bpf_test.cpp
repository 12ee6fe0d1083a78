#include "bpf_test.hpp"

#include <bpf/bpf.h>
#include <dirent.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

// A real call, not inlined or folded away.
extern "C" __attribute__((noinline)) int bpfkit_uprobe_target(int x) {
  asm volatile("" ::: "memory");
  return x + 1;
}

namespace runtime_test {

void bpf_test::SetUp() {
  if (const std::string& missing = bpfkit::bpf_unavailable_reason(); !missing.empty())
    GTEST_SKIP() << missing;
}

bpfkit::object load(const char* path) {
  bpfkit::object object = bpfkit::object::open_file(path);
  object.load();
  return object;
}

std::size_t open_fds() {
  std::size_t count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return 0;
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count - 1;  // the directory's own fd
}

std::optional<std::string> ensure_tracefs() {
  const char* mountpoint = "/sys/kernel/tracing";
  if (exists(std::string(mountpoint) + "/events")) return std::nullopt;
  // Private mounts, so that nothing reaches the host's mount table.
  if (::unshare(CLONE_NEWNS) != 0 ||
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tracefs", mountpoint, "tracefs", 0, nullptr) != 0)
    return std::string("tracefs is not mounted and cannot be mounted privately: ") +
           std::strerror(errno);
  return std::nullopt;
}

namespace {

constexpr char pin_root[] = "/sys/fs/bpf";
constexpr char pin_prefix[] = "bpfkit-runtime-";

// Removes `dir` and what is pinned in it (pins are files or empty dirs).
void remove_pins(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(d))
      if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
    ::closedir(d);
    for (const std::string& name : names) ::unlink((dir + "/" + name).c_str());
  }
  ::rmdir(dir.c_str());
}

// Directories of test processes that were killed before they could clean up.
void remove_stale_pin_dirs() {
  DIR* root = ::opendir(pin_root);
  if (!root) return;
  std::vector<std::string> stale;
  while (dirent* entry = ::readdir(root)) {
    std::string_view name = entry->d_name;
    if (!name.starts_with(pin_prefix)) continue;
    pid_t owner = std::atoi(entry->d_name + std::strlen(pin_prefix));
    if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH)
      stale.push_back(std::string(pin_root) + "/" + std::string(name));
  }
  ::closedir(root);
  for (const std::string& dir : stale) remove_pins(dir);
}

}  // namespace

pin_dir::pin_dir() {
  static std::atomic<int> counter{0};
  struct statfs fs {};
  if (::statfs(pin_root, &fs) != 0 || fs.f_type != BPF_FS_MAGIC)
    throw bpfkit::error(ENOENT, "bpffs is not mounted at /sys/fs/bpf (ci/kernel-fs.sh mounts it)");
  remove_stale_pin_dirs();
  path_ = std::string(pin_root) + "/" + pin_prefix + std::to_string(::getpid()) + "-" +
          std::to_string(counter++);
  if (::mkdir(path_.c_str(), 0700) != 0) throw bpfkit::error(errno, "create " + path_);
}

pin_dir::~pin_dir() { remove_pins(path_); }

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace runtime_test
