// Pinned BPF objects: the directory layout bpfkit pins into, and opening
// what is pinned.
//
// `bpfkit load OBJ --pin DIR` and `bpfkit attach ... --pin DIR` write
//
//   DIR/progs/<program>   each loaded program (its full C name)
//   DIR/maps/<map>        each map, under libbpf's name for it: the C name, or
//                         for globals "<object prefix>_bss|_data|_rodata"
//                         (bpftool shows "<object prefix>.bss"; bpffs refuses
//                         '.' in names, so like libbpf's own pinning bpfkit
//                         writes '_')
//   DIR/links/<program>   the link of an attached program (attach --pin)
//
// and `bpfkit unpin DIR` removes exactly these: in progs/ only programs, in
// maps/ only maps, in links/ only links, then those directories when empty.
// bpffs holds no regular files, so the layout itself is the record of what
// bpfkit pinned.
#pragma once

#include <signal.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bpfkit/pin_path.hpp"

namespace bpfkit::cli {

// A file descriptor, closed on destruction.
class owned_fd {
 public:
  owned_fd() noexcept = default;
  explicit owned_fd(int fd) noexcept : fd_(fd) {}
  owned_fd(owned_fd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  owned_fd &operator=(owned_fd &&other) noexcept;
  ~owned_fd();
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

enum class bpf_kind { other, program, map, link };

const char *kind_name(bpf_kind kind);  // "program", "map", "link", "object"

// What kind of BPF object `fd` refers to (by its anon inode's name).
bpf_kind kind_of_fd(int fd);

// True when `path` lies on a BPF filesystem; a path that does not exist yet
// is judged by its nearest existing ancestor. A guess for telling a pinned
// path from a file name; what opens or pins checks the path itself.
bool on_bpffs(const std::string &path);

// Opens the object pinned at `path` and checks it is a `wanted` (a map, a
// program...), never following a symlink (bpfkit::open_pinned_path).
// Throws cli_error: exit 3 when the path is not on bpffs, does not exist,
// goes through a symlink or ".." or holds another kind; exit 4 without the
// privilege to open it.
owned_fd open_pinned(const std::string &path, bpf_kind wanted);

struct pin_layout {
  std::string dir;
  std::string progs() const { return dir + "/progs"; }
  std::string maps() const { return dir + "/maps"; }
  std::string links() const { return dir + "/links"; }
  static std::string pin_name(std::string name);
  std::string program(const std::string &name) const { return progs() + "/" + pin_name(name); }
  // bpffs refuses '.' in names: like libbpf and bpftool, bpfkit pins
  // "cli_stat.bss" as maps/cli_stat_bss.
  std::string map(const std::string &name) const { return maps() + "/" + pin_name(name); }
  std::string link(const std::string &name) const { return links() + "/" + pin_name(name); }
};

// Pins a set of objects all or nothing (bpfkit::pin_transaction): plan()
// every path first (throwing cli_error, exit 3, when a path is taken), then
// pin them into a staging directory that commit() moves into DIR. DIR is
// checked when the pin_set is made, before anything is loaded: on bpffs, no
// "..", no symlink on the way, no directory another user could change.
//
// From construction to destruction SIGINT, SIGTERM and SIGHUP are blocked
// and looked for before each step: one that arrives before commit() removes
// everything pinned so far, says so, and then ends the process as the signal
// would have. Without commit() the destructor removes the pins and the
// directories this pin_set created, and nothing else.
class pin_set {
 public:
  explicit pin_set(std::string dir);
  ~pin_set();
  pin_set(const pin_set &) = delete;
  pin_set &operator=(const pin_set &) = delete;

  const pin_layout &layout() const { return layout_; }
  void plan(const std::string &path);  // checks that nothing is pinned there yet
  // Creates the staging directory (and DIR's missing parents).
  void make_directories();
  // Pins `fd` at `path` (one of the planned paths).
  void pin(int fd, const std::string &path);
  // Moves the pins into DIR.
  void commit();
  const std::vector<std::string> &pinned() const { return pinned_; }

 private:
  std::pair<std::string, std::string> split(const std::string &path) const;
  [[noreturn]] void throw_taken_pin_error(const bpfkit::pin_path_error &e, const std::string &path) const;
  void stop_on_signal();

  pin_layout layout_;
  std::unique_ptr<bpfkit::pin_transaction> transaction_;
  std::vector<std::string> planned_;
  std::vector<std::string> pinned_;
  sigset_t saved_mask_;
  int interrupted_by_ = 0;
};

// The cli_error for a refused pin path: exit 3 with the reason and a fix,
// exit 4 only where a non-root user lacks access.
[[noreturn]] void throw_pin_path_error(const bpfkit::pin_path_error &e);

}  // namespace bpfkit::cli
