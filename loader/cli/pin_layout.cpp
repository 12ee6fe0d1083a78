#include "pin_layout.hpp"

#include <bpf/bpf.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli.hpp"
#include "id_reference.hpp"

namespace bpfkit::cli {
namespace {

std::string parent_of(const std::string &path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

bool denied(int err) { return err == EPERM || err == EACCES; }

[[noreturn]] void throw_no_privilege(const std::string &what, int err) {
  throw cli_error(exit_no_privilege, what + ": " + std::strerror(err),
                  "pinned BPF objects are root's: run as root (or with CAP_BPF and access to the "
                  "bpffs directory)");
}

std::string not_bpffs_message(const std::string &path) {
  return path +
         " is not on a BPF filesystem (bpffs); mount one with: mount -t bpf bpf /sys/fs/bpf";
}

}  // namespace

owned_fd &owned_fd::operator=(owned_fd &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

owned_fd::~owned_fd() {
  if (fd_ >= 0) ::close(fd_);
}

const char *kind_name(bpf_kind kind) {
  switch (kind) {
    case bpf_kind::program: return "program";
    case bpf_kind::map: return "map";
    case bpf_kind::link: return "link";
    case bpf_kind::other: break;
  }
  return "non-BPF file";
}

bpf_kind kind_of_fd(int fd) {
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  char target[128] = "";
  ssize_t n = ::readlink(proc.c_str(), target, sizeof target - 1);
  if (n <= 0) return bpf_kind::other;
  std::string_view name(target, static_cast<std::size_t>(n));
  if (name == "anon_inode:bpf-map") return bpf_kind::map;
  if (name == "anon_inode:bpf-prog") return bpf_kind::program;
  // "bpf_link" before Linux 6.x, "bpf-link" since
  if (name == "anon_inode:bpf-link" || name == "anon_inode:bpf_link") return bpf_kind::link;
  return bpf_kind::other;
}

bool on_bpffs(const std::string &path) {
  std::string probe = path.empty() ? "." : path;
  for (;;) {
    struct statfs fs {};
    if (::statfs(probe.c_str(), &fs) == 0) return static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC;
    if (errno != ENOENT && errno != ENOTDIR) return false;
    std::string parent = parent_of(probe);
    if (parent == probe) return false;
    probe = parent;
  }
}

void require_bpffs(const std::string &path, const std::string &what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && denied(errno)) throw_no_privilege(what + " " + path, errno);
  if (!on_bpffs(path)) throw cli_error(exit_bad_input, not_bpffs_message(path));
}

owned_fd open_pinned(const std::string &path, bpf_kind wanted) {
  if (is_id_reference(path)) return open_id_reference(path, wanted);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (denied(err)) throw_no_privilege("cannot open " + path, err);
    if (!on_bpffs(path)) throw cli_error(exit_bad_input, not_bpffs_message(path));
    throw cli_error(exit_bad_input, path + ": nothing is pinned there",
                    std::string("give the path of a pinned ") + kind_name(wanted) +
                        (wanted == bpf_kind::map ? ", e.g. DIR/maps/NAME after bpfkit load OBJ --pin DIR"
                         : wanted == bpf_kind::program
                             ? ", e.g. DIR/progs/NAME after bpfkit load OBJ --pin DIR"
                             : ""));
  }
  if (!on_bpffs(path)) throw cli_error(exit_bad_input, not_bpffs_message(path));
  if (S_ISDIR(st.st_mode))
    throw cli_error(exit_bad_input, path + " is a directory, not a pinned " +
                                        std::string(kind_name(wanted)),
                    wanted == bpf_kind::map ? "bpfkit pins maps at DIR/maps/NAME" : "");
  owned_fd fd(bpf_obj_get(path.c_str()));
  if (fd.get() < 0) {
    int err = errno;
    if (denied(err)) throw_no_privilege("cannot open the pinned object " + path, err);
    throw cli_error(exit_bad_input, "cannot open the pinned object " + path + ": " +
                                        std::strerror(err));
  }
  bpf_kind kind = kind_of_fd(fd.get());
  if (kind != wanted)
    throw cli_error(exit_bad_input, path + " is a pinned " + kind_name(kind) + ", not a " +
                                        kind_name(wanted));
  return fd;
}

std::string pin_layout::pin_name(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

pin_set::pin_set(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  layout_.dir = std::move(dir);
  require_bpffs(layout_.dir, "--pin directory");
  struct stat st {};
  if (::stat(layout_.dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    throw cli_error(exit_bad_input, layout_.dir + " exists and is not a directory",
                    "--pin takes a directory on bpffs, e.g. /sys/fs/bpf/myapp");
}

pin_set::~pin_set() {
  if (committed_) return;
  for (auto it = pinned_.rbegin(); it != pinned_.rend(); ++it) ::unlink(it->c_str());
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());
}

void pin_set::plan(const std::string &path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0)
    throw cli_error(exit_bad_input, path + " already exists (pinned by an earlier load or attach?)",
                    "remove what bpfkit pinned there with: bpfkit unpin " + layout_.dir +
                        ", or pin into another directory");
  if (std::find(planned_.begin(), planned_.end(), path) != planned_.end())
    throw cli_error(exit_bad_input, "two objects would be pinned at " + path);
  planned_.push_back(path);
}

void pin_set::make_directory(const std::string &path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw cli_error(exit_bad_input, path + " exists and is not a directory");
    return;
  }
  std::string parent = parent_of(path);
  if (parent != path) make_directory(parent);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    int err = errno;
    if (denied(err)) throw_no_privilege("cannot create " + path, err);
    throw cli_error(exit_bad_input, "cannot create " + path + ": " + std::strerror(err));
  }
  created_dirs_.push_back(path);
}

void pin_set::make_directories() {
  for (const std::string &path : planned_) make_directory(parent_of(path));
}

void pin_set::pin(int fd, const std::string &path) {
  if (bpf_obj_pin(fd, path.c_str()) != 0) {
    int err = errno;
    if (denied(err)) throw_no_privilege("cannot pin at " + path, err);
    throw cli_error(exit_failed, "cannot pin at " + path + ": " + std::strerror(err));
  }
  pinned_.push_back(path);
}

}  // namespace bpfkit::cli
