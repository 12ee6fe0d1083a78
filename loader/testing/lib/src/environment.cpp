#include "bpfkit/testing/environment.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
