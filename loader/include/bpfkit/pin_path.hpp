// Pinning on bpffs without trusting the names on it.
//
// bpffs is usually mounted with mode 1777: any user may create entries in
// /sys/fs/bpf, including symlinks and directories where a root-run bpfkit
// pins, opens or removes objects. Everything here reaches pins through
// directory descriptors opened one component at a time with O_NOFOLLOW,
// never through a path the kernel would resolve again, and removes only
// what this process created itself. A path is refused, with a
// pin_path_error saying why, when
//   - it has a ".." component (what it names depends on symlinks above it),
//   - one of its components is a symbolic link,
//   - one of its components exists and is not a directory,
//   - the directory is not on a BPF filesystem,
//   - and, where bpfkit writes or removes (pin_transaction, unpin, the test
//     pin root), an existing directory on the way is owned by another user
//     or writable by others without the sticky bit (/sys/fs/bpf itself, root's
//     and sticky, is fine): its owner could swap what bpfkit pinned.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/error.hpp"

namespace bpfkit {

enum class pin_path_problem {
  parent_reference,  // a ".." component
  symlink,           // a component is a symbolic link
  not_directory,     // a component exists and is not a directory
  missing,           // the path does not exist
  not_bpffs,         // not on a BPF filesystem
  unsafe_owner,      // a directory another user may change
  exists,            // the pin name is already taken
  bad_name,          // a pin name bpffs cannot hold ('/', '.', empty)
  system,            // any other failure; code() is the errno
};

// Thrown for a refused path. code() is the errno behind it (ELOOP for a
// symlink, EEXIST, EACCES, ...); path() names the component at fault;
// what() is the whole message (with the system's text where there is one).
class pin_path_error : public error {
 public:
  pin_path_error(pin_path_problem problem, int errno_value, std::string path,
                 const std::string& message);
  const char* what() const noexcept override { return message_->c_str(); }
  pin_path_problem problem() const noexcept { return problem_; }
  const std::string& path() const noexcept { return *path_; }

 private:
  pin_path_problem problem_;
  // Shared, so that copying an exception cannot throw.
  std::shared_ptr<const std::string> path_, message_;
};

// A directory descriptor, closed on destruction.
class dir_fd {
 public:
  dir_fd() noexcept = default;
  explicit dir_fd(int fd) noexcept : fd_(fd) {}
  dir_fd(dir_fd&& other) noexcept;
  dir_fd& operator=(dir_fd&& other) noexcept;
  dir_fd(const dir_fd&) = delete;
  dir_fd& operator=(const dir_fd&) = delete;
  ~dir_fd();
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// How strictly open_pin_dir() checks the directories on the way.
enum class pin_dir_use {
  read,    // no symlinks, no "..", on bpffs
  modify,  // and every directory only root or this user can change
};

// Opens the existing directory `path` (absolute or relative to the working
// directory) under the rules above. Throws pin_path_error (`missing` when it
// does not exist).
dir_fd open_pin_dir(const std::string& path, pin_dir_use use);

// The absolute, normalized form of `path` ("." and repeated '/' removed).
// Throws pin_path_error{parent_reference} for "..".
std::string normalized_pin_path(const std::string& path);

// What is at `name` inside `dir`, never following a symlink.
enum class pin_entry_kind { none, directory, symlink, pinned, other };
pin_entry_kind pin_entry_at(int dir, const std::string& name);

// Opens the BPF object pinned at `name` inside `dir` (bpf_obj_get), refusing
// a symlink there. Returns the new fd, or -1 with errno set (ELOOP for a
// symlink, EISDIR for a directory).
int open_pinned_at(int dir, const std::string& name);

// Opens the BPF object pinned at `path`, whose directories must pass
// open_pin_dir(read) and whose last component must not be a symlink. Throws
// pin_path_error for the path; returns -1 with errno set when the kernel
// refuses (ENOENT, EACCES, EINVAL for a non-BPF file).
int open_pinned_path(const std::string& path);

// Pins a set of objects under one directory all or nothing.
//
// Nothing is created until the first pin(). The pins are made in a fresh
// directory with an unpredictable name (bpfkit_staging_<random>, made with
// mkdir's exclusive creation) beside the destination when it does not exist
// yet, else inside it; commit() then renames that directory to the
// destination in one step, or, when the destination exists, renames each
// pin into place (never replacing anything) and undoes those renames if one
// fails. Without commit() the destructor unpins everything and removes the
// directories this object created, and only those: an existing directory is
// never "created".
class pin_transaction {
 public:
  // Resolves and checks `dir` (open_pin_dir(modify) rules for the part that
  // exists). Creates nothing. Throws pin_path_error.
  explicit pin_transaction(const std::string& dir);
  ~pin_transaction();
  pin_transaction(const pin_transaction&) = delete;
  pin_transaction& operator=(const pin_transaction&) = delete;

  // The destination, normalized.
  const std::string& dir() const noexcept { return dir_; }
  // Throws pin_path_error{exists} when `sub/name` is taken in the
  // destination, or {bad_name} when it is not one directory and one name
  // bpffs accepts.
  void check_free(const std::string& sub, const std::string& name) const;
  // Makes the destination's missing parents and the staging directory
  // (pin() does it when not done yet).
  void prepare();
  // Pins `fd` at sub/name of the staging directory.
  // Throws pin_path_error, or bpfkit::error with the kernel's errno.
  void pin(int fd, const std::string& sub, const std::string& name);
  // Moves every pin into the destination. Throws as pin() does; then
  // nothing has moved.
  void commit();
  // Unpins and removes everything made so far (what the destructor does).
  void roll_back() noexcept;

  // Where pins wait for commit(); empty before the first pin().
  const std::string& staging_path() const noexcept { return staging_path_; }
  // Called before each step that creates something (every mkdir and pin),
  // e.g. to stop on a pending signal by throwing.
  void on_each_step(std::function<void()> check) { step_check_ = std::move(check); }

 private:
  struct created {
    int parent;  // a descriptor in fds_
    std::string name;
  };
  struct staged_sub {
    std::string name;
    int fd;
    std::vector<std::string> pins;
  };
  struct move {
    int from, to;  // descriptors in fds_
    std::string name;
  };

  int keep(dir_fd fd);
  void step();
  void undo_moves(std::vector<move>& moves) noexcept;

  std::string dir_;
  std::vector<dir_fd> fds_;
  int existing_ = -1;                    // deepest existing directory of dir_
  std::string existing_path_;
  std::vector<std::string> missing_;     // components below it
  bool dir_exists_ = false;
  std::vector<created> created_dirs_;    // parents of dir_ made by this object
  int staging_parent_ = -1;
  std::string staging_name_;
  std::string staging_path_;
  int staging_ = -1;
  std::vector<staged_sub> subs_;
  bool committed_ = false;
  std::function<void()> step_check_;
};

// The root of a tree of pin directories that only this user may change, for
// private pin directories beneath it (bpfkit's test fixtures). Made (mode
// 0755) when missing; an existing one must be a real directory on bpffs, not
// a symlink, owned by this process's user and not writable by others.
// Throws pin_path_error (unsafe_owner, symlink, not_directory, not_bpffs).
dir_fd open_owned_pin_root(const std::string& path, bool create);

// Removes `name` inside `dir` and, when it is a directory, everything in it,
// never following a symlink (a symlink is removed, not what it names).
// Returns false with errno set when something could not be removed.
bool remove_tree_at(int dir, const std::string& name);

}  // namespace bpfkit
