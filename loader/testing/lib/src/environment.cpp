#include "bpfkit/testing/environment.hpp"

#include <bpf/bpf.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "bpfkit/error.hpp"

namespace bpfkit::testing {
namespace {

constexpr const char* bpffs = "/sys/fs/bpf";

std::string errno_text(int err) { return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")"; }

// Loads the smallest XDP program and creates a one-entry array map: what
// every BPF test needs at least (XDP, unlike socket filters, is never open to
// unprivileged users, so this cannot pass where the real tests would not).
std::string probe_bpf() {
  const bpf_insn program[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2},  // r0 = XDP_PASS
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "bpfkit_probe", "GPL", program, 2, nullptr);
  int prog_err = errno;
  if (prog >= 0) ::close(prog);
  int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfkit_probe", 4, 8, 1, nullptr);
  int map_err = errno;
  if (map >= 0) ::close(map);
  if (prog >= 0 && map >= 0) return {};

  const int err = prog < 0 ? prog_err : map_err;
  const std::string what = prog < 0 ? "loading a BPF program" : "creating a BPF map";
  if (err == EPERM || err == EACCES)
    return "BPF is not available to this process: " + what + " failed with " + errno_text(err) +
           ". Loading BPF programs needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN "
           "(run the tests as root, e.g. sudo ctest).";
  return "BPF is not available on this machine: " + what + " failed with " + errno_text(err) +
         (err == ENOSYS ? ". The kernel was built without CONFIG_BPF_SYSCALL." : ".");
}

// In a thread of its own, which ends with the namespace it made.
std::string probe_netns() {
  int err = 0;
  std::thread([&err] {
    if (::unshare(CLONE_NEWNET) != 0) err = errno;
  }).join();
  if (err == 0) return {};
  return "cannot create a private network namespace for veth pairs: unshare(CLONE_NEWNET) failed with " +
         errno_text(err) + ". It needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run the tests as root).";
}

void skip(const std::string& reason) { GTEST_SKIP() << reason; }

// A name bpffs accepts as one path component: letters, digits, '-', '_'
// ('.' is reserved there: bpffs refuses names containing it with EPERM).
std::string file_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    out += c == '.' ? '-' : plain ? c : '_';
  }
  if (out.empty()) out = "_";
  if (out.size() > 200) out.resize(200);
  return out;
}

}  // namespace

const std::string& bpf_unavailable_reason() {
  static const std::string reason = probe_bpf();
  return reason;
}

const std::string& netns_unavailable_reason() {
  static const std::string reason = probe_netns();
  return reason;
}

bool require_bpf() {
  const std::string& reason = bpf_unavailable_reason();
  if (reason.empty()) return true;
  skip(reason);
  return false;
}

bool require_netns() {
  if (!require_bpf()) return false;
  const std::string& reason = netns_unavailable_reason();
  if (reason.empty()) return true;
  skip(reason);
  return false;
}

pin_directory::pin_directory(std::string_view name)
    : path_(std::string(pin_root) + "/" + std::to_string(::getpid()) + "-" + file_name(name)) {}

pin_directory::~pin_directory() { remove(); }

const std::string& pin_directory::path() {
  if (created_) return path_;
  struct statfs fs {};
  if (::statfs(bpffs, &fs) != 0 || fs.f_type != BPF_FS_MAGIC)
    throw error(ENOENT, std::string("no bpffs mounted at ") + bpffs +
                            " for pin directories: mount it with `mount -t bpf bpf /sys/fs/bpf` "
                            "(ctest's bpfkit.setup does this as root)");
  // `bpfkit-test --cleanup` removes an empty pin root: when it does so
  // between the two mkdirs, make the root again.
  for (int attempt = 0;; ++attempt) {
    if (::mkdir(pin_root, 0755) != 0 && errno != EEXIST)
      throw error(errno, std::string("create the pin root ") + pin_root);
    if (::mkdir(path_.c_str(), 0700) == 0) break;
    if (errno == ENOENT && attempt < 3) continue;
    if (errno != EEXIST) throw error(errno, "create the pin directory " + path_);
    // Left by an earlier process with the same pid: its pins are stale.
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (::mkdir(path_.c_str(), 0700) == 0) break;
    if (errno == ENOENT && attempt < 3) continue;
    throw error(errno, "create the pin directory " + path_);
  }
  created_ = true;
  return path_;
}

std::string pin_directory::path(std::string_view name) {
  if (name.find('.') != std::string_view::npos || name.find('/') != std::string_view::npos)
    throw error(EINVAL, "pin name '" + std::string(name) +
                            "' cannot be used on bpffs: names there cannot contain '.' (and a '/' would "
                            "leave the pin directory)");
  return path() + "/" + std::string(name);
}

void pin_directory::remove() noexcept {
  if (!created_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  created_ = false;
}

}  // namespace bpfkit::testing
