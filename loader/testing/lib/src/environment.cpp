#include "bpfkit/testing/environment.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "bpfkit/error.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/testing/netns.hpp"

namespace bpfkit::testing {
namespace {

constexpr const char* bpffs = "/sys/fs/bpf";

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

const std::string& bpf_unavailable_reason() { return ::bpfkit::bpf_unavailable_reason(); }

const std::string& netns_unavailable_reason() { return netns::unavailable_reason(); }

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
    : name_(std::to_string(::getpid()) + "-" + file_name(name)), path_(current_pin_root() + "/" + name_) {}

pin_directory::~pin_directory() { remove(); }

const std::string& pin_directory::path() {
  if (created_) return path_;
  struct statfs fs {};
  if (::statfs(bpffs, &fs) != 0 || fs.f_type != BPF_FS_MAGIC)
    throw error(ENOENT, std::string("no bpffs mounted at ") + bpffs +
                            " for pin directories: mount it with `mount -t bpf bpf /sys/fs/bpf` "
                            "(ctest's bpfkit.setup does this as root)");
  // Made inside the checked root (open_pin_root: not a symlink, not another
  // user's). `bpfkit-test --cleanup` removes an empty pin root: when it does
  // so between opening the root and the mkdir, open it again.
  for (int attempt = 0;; ++attempt) {
    dir_fd root = open_pin_root(true);
    if (::mkdirat(root.get(), name_.c_str(), 0700) == 0) break;
    if (errno == ENOENT && attempt < 3) continue;
    if (errno != EEXIST) throw error(errno, "create the pin directory " + path_);
    // Left by an earlier process with the same pid: its pins are stale.
    remove_tree_at(root.get(), name_);
    if (::mkdirat(root.get(), name_.c_str(), 0700) == 0) break;
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
  created_ = false;
  try {
    if (dir_fd root = open_pin_root(false)) remove_tree_at(root.get(), name_);
  } catch (const std::exception&) {
    // the root was replaced since: what is there now is not ours to remove
  }
}

}  // namespace bpfkit::testing
