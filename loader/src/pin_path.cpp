#include "bpfkit/pin_path.hpp"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace bpfkit {
namespace {

constexpr int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Pin trees are a few levels deep; anything deeper is not bpfkit's.
constexpr int max_tree_depth = 32;

// bpf_obj_pin/bpf_obj_get return libbpf's codes as well as the kernel's.
std::string errno_text(int err) { return error_category().message(err); }

[[noreturn]] void refuse(pin_path_problem problem, int err, const std::string& path,
                         const std::string& message) {
  throw pin_path_error(problem, err, path, message);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::vector<std::string> components(const std::string& normalized) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start < normalized.size()) {
    std::size_t end = normalized.find('/', start);
    if (end == std::string::npos) end = normalized.size();
    parts.push_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool on_bpffs(int fd) {
  struct statfs fs {};
  return ::fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC;
}

// Only root or this user may change it: otherwise its owner, or anyone who
// may write to it, could rename what bpfkit pinned and put something else in
// its place. Sticky directories (/sys/fs/bpf, mode 1777) protect entries
// from other users' renames.
void require_safe_owner(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) refuse(pin_path_problem::system, errno, path, path + ": " + errno_text(errno));
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    refuse(pin_path_problem::unsafe_owner, EPERM, path,
           path + " belongs to uid " + std::to_string(st.st_uid) +
               ", who could replace what bpfkit pins there");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
    refuse(pin_path_problem::unsafe_owner, EPERM, path,
           path + " is writable by other users (mode " + [&] {
             char mode[8];
             std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
             return std::string(mode);
           }() + "), who could replace what bpfkit pins there");
}

// Opens `name` in `parent` as a directory without following a symlink.
// Returns an empty dir_fd when it does not exist.
dir_fd open_child(int parent, const std::string& name, const std::string& path) {
  int fd = ::openat(parent, name.c_str(), dir_flags);
  if (fd >= 0) return dir_fd(fd);
  int err = errno;
  if (err == ENOENT) return {};
  if (err == ELOOP || err == ENOTDIR) {
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
      refuse(pin_path_problem::symlink, ELOOP, path,
             path + " is a symbolic link; bpfkit does not follow symlinks on bpffs "
                    "(anyone may create them there)");
    refuse(pin_path_problem::not_directory, ENOTDIR, path, path + " exists and is not a directory");
  }
  refuse(pin_path_problem::system, err, path, "cannot open " + path + ": " + errno_text(err));
}

// Opens the existing part of `normalized` from "/", one component at a time.
// Every descriptor is appended to `fds`; the components that do not exist
// are returned in `missing`. Returns the path of the deepest existing one.
std::string walk(const std::string& normalized, pin_dir_use use, std::vector<dir_fd>& fds,
                 std::vector<std::string>& missing) {
  int root = ::open("/", dir_flags);
  if (root < 0) refuse(pin_path_problem::system, errno, "/", "cannot open /: " + errno_text(errno));
  fds.emplace_back(root);
  if (use == pin_dir_use::modify) require_safe_owner(root, "/");
  std::string path = "/";
  std::vector<std::string> parts = components(normalized);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string next = join(path, parts[i]);
    dir_fd child = open_child(fds.back().get(), parts[i], next);
    if (!child) {
      missing.assign(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
      break;
    }
    if (use == pin_dir_use::modify) require_safe_owner(child.get(), next);
    fds.push_back(std::move(child));
    path = std::move(next);
  }
  if (!on_bpffs(fds.back().get()))
    refuse(pin_path_problem::not_bpffs, EXDEV, normalized,
           normalized + " is not on a BPF filesystem (bpffs)");
  return path;
}

void check_name(const std::string& name, const std::string& where) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('.') != std::string::npos)
    refuse(pin_path_problem::bad_name, EINVAL, where,
           "'" + name + "' cannot be a name on bpffs (no '/', no '.', not empty)");
}

std::string random_suffix() {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) refuse(pin_path_problem::system, errno, "", "getrandom: " + errno_text(errno));
    got += static_cast<std::size_t>(n);
  }
  std::string out;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

std::string proc_path(int dir, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dir) + "/" + name;
}

}  // namespace

pin_path_error::pin_path_error(pin_path_problem problem, int errno_value, std::string path,
                               const std::string& message)
    : error(errno_value, message),
      problem_(problem),
      path_(std::make_shared<const std::string>(std::move(path))),
      message_(std::make_shared<const std::string>(message)) {}

dir_fd::dir_fd(dir_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

dir_fd& dir_fd::operator=(dir_fd&& other) noexcept {
  std::swap(fd_, other.fd_);
  return *this;
}

dir_fd::~dir_fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string normalized_pin_path(const std::string& path) {
  std::string absolute = path;
  if (absolute.empty() || absolute.front() != '/') {
    char cwd[4096];
    if (!::getcwd(cwd, sizeof cwd))
      refuse(pin_path_problem::system, errno, path, "cannot resolve " + path + ": " + errno_text(errno));
    absolute = std::string(cwd) + "/" + path;
  }
  std::string out;
  std::size_t start = 0;
  while (start <= absolute.size()) {
    std::size_t end = absolute.find('/', start);
    if (end == std::string::npos) end = absolute.size();
    std::string part = absolute.substr(start, end - start);
    if (part == "..")
      refuse(pin_path_problem::parent_reference, EINVAL, path,
             path + ": '..' is not allowed in a pin path (what it names would depend on the "
                    "symlinks above it)");
    if (!part.empty() && part != ".") out += "/" + part;
    start = end + 1;
  }
  return out.empty() ? "/" : out;
}

dir_fd open_pin_dir(const std::string& path, pin_dir_use use) {
  std::string normalized = normalized_pin_path(path);
  std::vector<dir_fd> fds;
  std::vector<std::string> missing;
  std::string found = walk(normalized, use, fds, missing);
  if (!missing.empty())
    refuse(pin_path_problem::missing, ENOENT, join(found, missing.front()),
           join(found, missing.front()) + " does not exist");
  return std::move(fds.back());
}

pin_entry_kind pin_entry_at(int dir, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return pin_entry_kind::none;
  if (S_ISLNK(st.st_mode)) return pin_entry_kind::symlink;
  if (S_ISDIR(st.st_mode)) return pin_entry_kind::directory;
  // bpffs shows pinned programs, maps and links as regular files.
  if (S_ISREG(st.st_mode)) return pin_entry_kind::pinned;
  return pin_entry_kind::other;
}

int open_pinned_at(int dir, const std::string& name) {
  int path_fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (path_fd < 0) return -1;
  struct stat st {};
  int result = -1;
  int err = 0;
  if (::fstat(path_fd, &st) != 0) {
    err = errno;
  } else if (S_ISLNK(st.st_mode)) {
    err = ELOOP;
  } else if (S_ISDIR(st.st_mode)) {
    err = EISDIR;
  } else {
    // The kernel resolves /proc/self/fd/N to exactly the inode opened above.
    result = bpf_obj_get(("/proc/self/fd/" + std::to_string(path_fd)).c_str());
    if (result < 0) err = errno;
  }
  ::close(path_fd);
  errno = err;
  return result;
}

int open_pinned_path(const std::string& path) {
  std::string normalized = normalized_pin_path(path);
  if (normalized == "/") refuse(pin_path_problem::not_directory, EISDIR, path, "/ is a directory");
  std::size_t slash = normalized.rfind('/');
  std::string parent = slash == 0 ? "/" : normalized.substr(0, slash);
  dir_fd dir = open_pin_dir(parent, pin_dir_use::read);
  std::string name = normalized.substr(slash + 1);
  if (pin_entry_at(dir.get(), name) == pin_entry_kind::symlink)
    refuse(pin_path_problem::symlink, ELOOP, normalized,
           normalized + " is a symbolic link; bpfkit does not follow symlinks on bpffs "
                        "(anyone may create them there)");
  return open_pinned_at(dir.get(), name);
}

// --- pin_transaction -------------------------------------------------------

pin_transaction::pin_transaction(const std::string& dir) : dir_(normalized_pin_path(dir)) {
  if (dir_ == "/") refuse(pin_path_problem::not_bpffs, EXDEV, dir_, "/ is not on a BPF filesystem (bpffs)");
  existing_path_ = walk(dir_, pin_dir_use::modify, fds_, missing_);
  existing_ = fds_.back().get();
  dir_exists_ = missing_.empty();
}

pin_transaction::~pin_transaction() { roll_back(); }

int pin_transaction::keep(dir_fd fd) {
  int raw = fd.get();
  fds_.push_back(std::move(fd));
  return raw;
}

void pin_transaction::step() {
  if (step_check_) step_check_();
}

void pin_transaction::check_free(const std::string& sub, const std::string& name) const {
  check_name(sub, dir_);
  check_name(name, join(dir_, sub));
  if (!dir_exists_) return;
  std::string sub_path = join(dir_, sub);
  switch (pin_entry_at(existing_, sub)) {
    case pin_entry_kind::none: return;
    case pin_entry_kind::directory: break;
    case pin_entry_kind::symlink:
      refuse(pin_path_problem::symlink, ELOOP, sub_path,
             sub_path + " is a symbolic link; bpfkit does not follow symlinks on bpffs "
                        "(anyone may create them there)");
    default:
      refuse(pin_path_problem::not_directory, ENOTDIR, sub_path, sub_path + " exists and is not a directory");
  }
  dir_fd sub_fd = open_child(existing_, sub, sub_path);
  if (!sub_fd) return;
  require_safe_owner(sub_fd.get(), sub_path);
  if (pin_entry_at(sub_fd.get(), name) != pin_entry_kind::none)
    refuse(pin_path_problem::exists, EEXIST, join(sub_path, name), join(sub_path, name) + " already exists");
}

void pin_transaction::prepare() {
  if (staging_ >= 0) return;
  int parent = existing_;
  std::string parent_path = dir_;
  if (!dir_exists_) {
    // Make the missing parents of the destination, remembering exactly the
    // ones made here: an existing directory (EEXIST) was not.
    std::string here = existing_path_;
    for (std::size_t i = 0; i + 1 < missing_.size(); ++i) {
      step();
      here = join(here, missing_[i]);
      bool made = ::mkdirat(parent, missing_[i].c_str(), 0700) == 0;
      if (!made && errno != EEXIST)
        refuse(pin_path_problem::system, errno, here, "cannot create " + here + ": " + errno_text(errno));
      if (made) created_dirs_.push_back({parent, missing_[i]});
      dir_fd child = open_child(parent, missing_[i], here);
      if (!child) refuse(pin_path_problem::missing, ENOENT, here, here + " disappeared while bpfkit was pinning");
      require_safe_owner(child.get(), here);
      parent = keep(std::move(child));
    }
    parent_path = here;
  }
  step();
  for (int attempt = 0;; ++attempt) {
    std::string name = "bpfkit_staging_" + random_suffix();
    if (::mkdirat(parent, name.c_str(), 0700) == 0) {
      staging_parent_ = parent;
      staging_name_ = name;
      staging_path_ = join(parent_path, name);
      break;
    }
    if (errno != EEXIST || attempt == 16)
      refuse(pin_path_problem::system, errno, join(parent_path, name),
             "cannot create " + join(parent_path, name) + ": " + errno_text(errno));
  }
  dir_fd staging = open_child(parent, staging_name_, staging_path_);
  if (!staging) refuse(pin_path_problem::missing, ENOENT, staging_path_, staging_path_ + " disappeared");
  staging_ = keep(std::move(staging));
}

void pin_transaction::pin(int fd, const std::string& sub, const std::string& name) {
  check_name(sub, dir_);
  check_name(name, join(dir_, sub));
  step();
  prepare();
  staged_sub* target = nullptr;
  for (staged_sub& s : subs_)
    if (s.name == sub) target = &s;
  if (!target) {
    step();
    std::string path = join(staging_path_, sub);
    if (::mkdirat(staging_, sub.c_str(), 0700) != 0)
      refuse(pin_path_problem::system, errno, path, "cannot create " + path + ": " + errno_text(errno));
    subs_.push_back({sub, -1, {}});
    dir_fd sub_fd = open_child(staging_, sub, path);
    if (!sub_fd) refuse(pin_path_problem::missing, ENOENT, path, path + " disappeared");
    subs_.back().fd = keep(std::move(sub_fd));
    target = &subs_.back();
  }
  step();
  if (bpf_obj_pin(fd, proc_path(target->fd, name).c_str()) != 0) {
    int err = errno;
    std::string destination = join(join(dir_, sub), name);
    refuse(err == EEXIST ? pin_path_problem::exists : pin_path_problem::system, err, destination,
           "cannot pin at " + destination + ": " + errno_text(err));
  }
  target->pins.push_back(name);
}

void pin_transaction::undo_moves(std::vector<move>& moves) noexcept {
  for (auto it = moves.rbegin(); it != moves.rend(); ++it)
    ::renameat2(it->to, it->name.c_str(), it->from, it->name.c_str(), RENAME_NOREPLACE);
  moves.clear();
}

void pin_transaction::commit() {
  if (committed_) return;
  step();
  if (staging_ < 0) {  // nothing was pinned
    committed_ = true;
    return;
  }
  if (!dir_exists_) {
    // One rename: the destination appears complete or not at all.
    if (::renameat2(staging_parent_, staging_name_.c_str(), staging_parent_, missing_.back().c_str(),
                    RENAME_NOREPLACE) != 0) {
      int err = errno;
      refuse(err == EEXIST ? pin_path_problem::exists : pin_path_problem::system, err, dir_,
             err == EEXIST ? dir_ + " was created by someone else while bpfkit was pinning"
                           : "cannot rename " + staging_path_ + " to " + dir_ + ": " + errno_text(err));
    }
    committed_ = true;
    return;
  }
  std::vector<move> moves;
  std::vector<std::string> emptied;
  try {
    for (staged_sub& s : subs_) {
      std::string sub_path = join(dir_, s.name);
      dir_fd existing = open_child(existing_, s.name, sub_path);
      if (!existing) {
        if (::renameat2(staging_, s.name.c_str(), existing_, s.name.c_str(), RENAME_NOREPLACE) != 0)
          refuse(errno == EEXIST ? pin_path_problem::exists : pin_path_problem::system, errno, sub_path,
                 "cannot move the pins into " + sub_path + ": " + errno_text(errno));
        moves.push_back({staging_, existing_, s.name});
        continue;
      }
      require_safe_owner(existing.get(), sub_path);
      int to = keep(std::move(existing));
      for (const std::string& name : s.pins) {
        if (::renameat2(s.fd, name.c_str(), to, name.c_str(), RENAME_NOREPLACE) != 0) {
          std::string at = join(sub_path, name);
          refuse(errno == EEXIST ? pin_path_problem::exists : pin_path_problem::system, errno, at,
                 errno == EEXIST ? at + " already exists" : "cannot pin at " + at + ": " + errno_text(errno));
        }
        moves.push_back({s.fd, to, name});
      }
      emptied.push_back(s.name);
    }
  } catch (...) {
    undo_moves(moves);
    throw;
  }
  committed_ = true;
  for (const std::string& name : emptied) ::unlinkat(staging_, name.c_str(), AT_REMOVEDIR);
  ::unlinkat(staging_parent_, staging_name_.c_str(), AT_REMOVEDIR);
}

void pin_transaction::roll_back() noexcept {
  if (committed_) return;
  for (auto s = subs_.rbegin(); s != subs_.rend(); ++s) {
    for (auto p = s->pins.rbegin(); p != s->pins.rend(); ++p) ::unlinkat(s->fd, p->c_str(), 0);
    ::unlinkat(staging_, s->name.c_str(), AT_REMOVEDIR);
  }
  subs_.clear();
  if (staging_ >= 0) ::unlinkat(staging_parent_, staging_name_.c_str(), AT_REMOVEDIR);
  staging_ = -1;
  for (auto c = created_dirs_.rbegin(); c != created_dirs_.rend(); ++c)
    ::unlinkat(c->parent, c->name.c_str(), AT_REMOVEDIR);
  created_dirs_.clear();
}

// --- the test pin root -------------------------------------------------------

dir_fd open_owned_pin_root(const std::string& path, bool create) {
  std::string normalized = normalized_pin_path(path);
  std::size_t slash = normalized.rfind('/');
  std::string parent_path = slash == 0 ? "/" : normalized.substr(0, slash);
  std::string name = normalized.substr(slash + 1);
  if (name.empty()) refuse(pin_path_problem::not_directory, EINVAL, path, "/ cannot be a pin root");
  dir_fd parent = open_pin_dir(parent_path, pin_dir_use::modify);
  if (create && ::mkdirat(parent.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
    refuse(pin_path_problem::system, errno, normalized, "cannot create " + normalized + ": " + errno_text(errno));
  dir_fd root = open_child(parent.get(), name, normalized);
  if (!root) {
    if (create) refuse(pin_path_problem::missing, ENOENT, normalized, normalized + " disappeared");
    return {};
  }
  struct stat st {};
  if (::fstat(root.get(), &st) != 0)
    refuse(pin_path_problem::system, errno, normalized, normalized + ": " + errno_text(errno));
  // Stricter than require_safe_owner: a sticky, world-writable root would
  // still let anyone make the directory a test is about to use.
  if (st.st_uid != ::geteuid())
    refuse(pin_path_problem::unsafe_owner, EPERM, normalized,
           normalized + " belongs to uid " + std::to_string(st.st_uid) +
               ", not to this user: someone created it to control where tests pin");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    refuse(pin_path_problem::unsafe_owner, EPERM, normalized,
           normalized + " is writable by other users: someone could control where tests pin");
  if (!on_bpffs(root.get()))
    refuse(pin_path_problem::not_bpffs, EXDEV, normalized, normalized + " is not on a BPF filesystem (bpffs)");
  return root;
}

namespace {

bool remove_tree(int dir, const std::string& name, int depth) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return ::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT;
  if (depth >= max_tree_depth) {
    errno = ELOOP;
    return false;
  }
  int fd = ::openat(dir, name.c_str(), dir_flags);
  if (fd < 0) return false;
  DIR* listing = ::fdopendir(fd);
  if (!listing) {
    ::close(fd);
    return false;
  }
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(listing)) {
    std::string child = entry->d_name;
    if (child != "." && child != "..") names.push_back(std::move(child));
  }
  bool ok = true;
  for (const std::string& child : names) ok = remove_tree(::dirfd(listing), child, depth + 1) && ok;
  ::closedir(listing);
  return ok && (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT);
}

}  // namespace

bool remove_tree_at(int dir, const std::string& name) { return remove_tree(dir, name, 0); }

}  // namespace bpfkit
