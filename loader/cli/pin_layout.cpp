#include "pin_layout.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "bpfkit/error.hpp"
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
  throw cli_error(exit_no_privilege, what + ": " + bpfkit::error_category().message(err),
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

void throw_pin_path_error(const bpfkit::pin_path_error &e) {
  using bpfkit::pin_path_problem;
  const std::string real_path_hint =
      "give the directory's own path on bpffs, e.g. /sys/fs/bpf/myapp (see: realpath -e PATH)";
  switch (e.problem()) {
    case pin_path_problem::parent_reference:
      throw cli_error(exit_bad_input, e.what(), real_path_hint);
    case pin_path_problem::symlink:
      throw cli_error(exit_bad_input, e.what(),
                      "give the real directory; remove the symlink if you did not make it");
    case pin_path_problem::not_directory:
    case pin_path_problem::bad_name:
      throw cli_error(exit_bad_input, e.what());
    case pin_path_problem::missing:
      throw cli_error(exit_bad_input, e.what());
    case pin_path_problem::not_bpffs:
      throw cli_error(exit_bad_input, not_bpffs_message(e.path()));
    case pin_path_problem::unsafe_owner:
      throw cli_error(exit_bad_input, e.what(),
                      "pin into a directory that only root (or you) can change; if you trust what is "
                      "in it: chown root and chmod go-w, or remove it and let bpfkit make it");
    case pin_path_problem::exists:
      throw cli_error(exit_bad_input, e.path() + " already exists (pinned by an earlier load or attach?)");
    case pin_path_problem::system:
      break;
  }
  int err = e.code().value();
  if (err == EACCES || (err == EPERM && ::geteuid() != 0))
    throw cli_error(exit_no_privilege, e.what(),
                    "pinned BPF objects are root's: run as root (or with CAP_BPF and access to the "
                    "bpffs directory)");
  if (err == EPERM)
    throw cli_error(exit_failed, std::string(e.what()) + " (refused although this process is root)",
                    "bpffs refuses names with '.' and pins outside a BPF filesystem");
  throw cli_error(exit_failed, e.what());
}

owned_fd open_pinned(const std::string &path, bpf_kind wanted) {
  if (is_id_reference(path)) return open_id_reference(path, wanted);
  int raw = -1;
  try {
    raw = bpfkit::open_pinned_path(path);
  } catch (const bpfkit::pin_path_error &e) {
    if (e.problem() == bpfkit::pin_path_problem::missing)
      throw cli_error(exit_bad_input, path + ": nothing is pinned there (" + e.what() + ")");
    throw_pin_path_error(e);
  }
  owned_fd fd(raw);
  if (fd.get() < 0) {
    int err = errno;
    if (err == EISDIR)
      throw cli_error(exit_bad_input, path + " is a directory, not a pinned " +
                                          std::string(kind_name(wanted)),
                      wanted == bpf_kind::map ? "bpfkit pins maps at DIR/maps/NAME" : "");
    if (denied(err)) throw_no_privilege("cannot open the pinned object " + path, err);
    if (err == ENOENT)
      throw cli_error(exit_bad_input, path + ": nothing is pinned there",
                      std::string("give the path of a pinned ") + kind_name(wanted) +
                          (wanted == bpf_kind::map ? ", e.g. DIR/maps/NAME after bpfkit load OBJ --pin DIR"
                           : wanted == bpf_kind::program
                               ? ", e.g. DIR/progs/NAME after bpfkit load OBJ --pin DIR"
                               : ""));
    throw cli_error(exit_bad_input, "cannot open the pinned object " + path + ": " +
                                        bpfkit::error_category().message(err));
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

namespace {

const int stopping_signals[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

pin_set::pin_set(std::string dir) {
  try {
    transaction_ = std::make_unique<bpfkit::pin_transaction>(dir);
  } catch (const bpfkit::pin_path_error &e) {
    throw_pin_path_error(e);
  }
  layout_.dir = transaction_->dir();
  transaction_->on_each_step([this] { stop_on_signal(); });
  sigset_t stopping;
  sigemptyset(&stopping);
  for (int sig : stopping_signals) sigaddset(&stopping, sig);
  sigprocmask(SIG_BLOCK, &stopping, &saved_mask_);
}

pin_set::~pin_set() {
  std::size_t made = transaction_->staging_path().empty() ? 0 : pinned_.size();
  transaction_->roll_back();  // nothing after commit()
  if (interrupted_by_ != 0) {
    std::fprintf(stderr,
                 "bpfkit: interrupted by %s before every pin was in place: removed the %zu pins made "
                 "so far; nothing is pinned under %s\n",
                 sigabbrev_np(interrupted_by_) ? (std::string("SIG") + sigabbrev_np(interrupted_by_)).c_str()
                                               : "a signal",
                 made, layout_.dir.c_str());
    std::fflush(stderr);
  }
  // A signal still pending is delivered now: the process ends as it asked.
  sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
}

void pin_set::stop_on_signal() {
  sigset_t pending;
  if (sigpending(&pending) != 0) return;
  for (int sig : stopping_signals)
    if (sigismember(&pending, sig) == 1 && sigismember(&saved_mask_, sig) == 0) {
      interrupted_by_ = sig;
      throw cli_error(exit_failed, std::string("interrupted by ") + strsignal(sig) +
                                       "; nothing is pinned under " + layout_.dir);
    }
}

std::pair<std::string, std::string> pin_set::split(const std::string &path) const {
  // pin_layout's paths: DIR/<sub>/<name>.
  std::string prefix = layout_.dir == "/" ? "/" : layout_.dir + "/";
  std::size_t slash = path.find('/', prefix.size());
  if (!path.starts_with(prefix) || slash == std::string::npos)
    throw cli_error(exit_internal, path + " is not DIR/<kind>/<name> of " + layout_.dir);
  return {path.substr(prefix.size(), slash - prefix.size()), path.substr(slash + 1)};
}

// A pin path of this set that is taken: the fix is an unpin of this set's
// directory; other problems as throw_pin_path_error says them.
void pin_set::throw_taken_pin_error(const bpfkit::pin_path_error &e, const std::string &path) const {
  if (e.problem() == bpfkit::pin_path_problem::exists)
    throw cli_error(exit_bad_input, path + " already exists (pinned by an earlier load or attach?)",
                    "remove what bpfkit pinned there with: bpfkit unpin " + layout_.dir +
                        ", or pin into another directory");
  throw_pin_path_error(e);
}

void pin_set::plan(const std::string &path) {
  if (std::find(planned_.begin(), planned_.end(), path) != planned_.end())
    throw cli_error(exit_bad_input, "two objects would be pinned at " + path);
  auto [sub, name] = split(path);
  try {
    transaction_->check_free(sub, name);
  } catch (const bpfkit::pin_path_error &e) {
    throw_taken_pin_error(e, path);
  }
  planned_.push_back(path);
}

void pin_set::make_directories() {
  try {
    transaction_->prepare();
  } catch (const bpfkit::pin_path_error &e) {
    throw_pin_path_error(e);
  }
}

void pin_set::pin(int fd, const std::string &path) {
  auto [sub, name] = split(path);
  try {
    transaction_->pin(fd, sub, name);
  } catch (const bpfkit::pin_path_error &e) {
    throw_taken_pin_error(e, path);
  }
  pinned_.push_back(path);
}

void pin_set::commit() {
  try {
    transaction_->commit();
  } catch (const bpfkit::pin_path_error &e) {
    throw_pin_path_error(e);
  }
}

}  // namespace bpfkit::cli
