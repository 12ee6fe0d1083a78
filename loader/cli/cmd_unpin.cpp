// bpfkit unpin DIR
//
// Removes what bpfkit pinned under DIR (pin_layout.hpp): the programs in
// DIR/progs/, the maps in DIR/maps/, the links in DIR/links/ (which detaches
// their programs, unless something else holds them), then those directories
// when empty, then DIR when empty and not a mount point. Everything else
// stays and is named: other entries of DIR, subdirectories, symlinks (never
// followed: a symlink at DIR is refused, one inside it is left), and objects
// of the wrong kind for their directory (a map in progs/, ...).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>


#include "bpfkit/error.hpp"
#include "bpfkit/pin_path.hpp"
#include "cli.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

[[noreturn]] void cannot_read(const std::string &dir, int err) {
  if (err == EACCES || err == EPERM)
    throw cli_error(exit_no_privilege, "cannot read " + dir + ": " + std::strerror(err),
                    "pinned BPF objects are root's: run as root");
  throw cli_error(exit_bad_input, "cannot read " + dir + ": " + std::strerror(err));
}

// The names in the directory open at `fd`, sorted.
std::vector<std::string> list_directory(int fd, const std::string &dir) {
  std::vector<std::string> names;
  int copy = ::dup(fd);
  DIR *d = copy < 0 ? nullptr : ::fdopendir(copy);
  if (!d) {
    int err = errno;
    if (copy >= 0) ::close(copy);
    cannot_read(dir, err);
  }
  ::rewinddir(d);
  while (dirent *entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bpf_kind pinned_kind(int dir, const std::string &name, const std::string &path) {
  owned_fd fd(bpfkit::open_pinned_at(dir, name));
  if (fd.get() < 0) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      throw cli_error(exit_no_privilege, "cannot open " + path + ": " + bpfkit::error_category().message(err),
                      "pinned BPF objects are root's: run as root");
    return bpf_kind::other;
  }
  return kind_of_fd(fd.get());
}

bool same_device(int a, int b) {
  struct stat sa {}, sb {};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

}  // namespace

int cmd_unpin(arguments &args) {
  std::string given = args.positional("DIR (the --pin directory of bpfkit load or attach)");
  args.finish();
  // Everything below goes through descriptors opened without following a
  // symlink: a symlink at DIR or inside it never redirects the removal.
  bpfkit::dir_fd top;
  std::string dir;
  try {
    dir = bpfkit::normalized_pin_path(given);
    top = bpfkit::open_pin_dir(dir, bpfkit::pin_dir_use::read);
  } catch (const bpfkit::pin_path_error &e) {
    if (e.problem() == bpfkit::pin_path_problem::missing)
      throw cli_error(exit_bad_input, given + " does not exist");
    if (e.problem() == bpfkit::pin_path_problem::not_directory && e.path() == dir)
      throw cli_error(exit_bad_input, given + " is not a directory",
                      "give the --pin directory; remove a single pin with rm");
    throw_pin_path_error(e);
  }

  std::vector<std::string> top_names = list_directory(top.get(), dir);  // exit 4 when not ours to read
  pin_layout layout{dir};
  struct part {
    std::string name;
    bpf_kind kind;
    const char *plural;
  };
  const part parts[] = {{"links", bpf_kind::link, "links"},
                        {"progs", bpf_kind::program, "programs"},
                        {"maps", bpf_kind::map, "maps"}};
  std::vector<std::string> kept;
  bool had_layout = false;
  for (const part &p : parts) {
    std::string part_path = dir + "/" + p.name;
    bpfkit::pin_entry_kind what = bpfkit::pin_entry_at(top.get(), p.name);
    if (what == bpfkit::pin_entry_kind::symlink) {
      kept.push_back(part_path + " (a symlink, not followed)");
      continue;
    }
    if (what == bpfkit::pin_entry_kind::none) continue;
    if (what != bpfkit::pin_entry_kind::directory) {
      kept.push_back(part_path + " (not a directory: not part of bpfkit's layout)");
      continue;
    }
    bpfkit::dir_fd sub(::openat(top.get(), p.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) cannot_read(part_path, errno);
    had_layout = true;
    std::size_t removed = 0;
    for (const std::string &name : list_directory(sub.get(), part_path)) {
      std::string path = part_path + "/" + name;
      switch (bpfkit::pin_entry_at(sub.get(), name)) {
        case bpfkit::pin_entry_kind::directory:
          kept.push_back(path + "/ (a directory)");
          continue;
        case bpfkit::pin_entry_kind::symlink:
          kept.push_back(path + " (a symlink, not followed)");
          continue;
        default:
          break;
      }
      bpf_kind kind = pinned_kind(sub.get(), name, path);
      if (kind != p.kind) {
        kept.push_back(path + " (a " + std::string(kind_name(kind)) + " in " + p.plural +
                       "/, not pinned by bpfkit)");
        continue;
      }
      if (::unlinkat(sub.get(), name.c_str(), 0) != 0)
        throw cli_error(exit_failed, "cannot remove " + path + ": " + std::strerror(errno));
      ++removed;
    }
    if (::unlinkat(top.get(), p.name.c_str(), AT_REMOVEDIR) == 0)
      std::printf("removed %zu %s and %s/\n", removed, p.plural, part_path.c_str());
    else
      std::printf("removed %zu %s from %s/\n", removed, p.plural, part_path.c_str());
  }
  for (const std::string &name : top_names) {
    if (name == "progs" || name == "maps" || name == "links") continue;  // handled above
    bpfkit::pin_entry_kind what = bpfkit::pin_entry_at(top.get(), name);
    if (what == bpfkit::pin_entry_kind::none) continue;
    std::string path = dir + "/" + name;
    kept.push_back(path + (what == bpfkit::pin_entry_kind::directory ? "/" : "") +
                   (what == bpfkit::pin_entry_kind::symlink ? " (a symlink, not followed)"
                    : name.starts_with("bpfkit_staging_")
                        ? " (pins of a bpfkit load/attach that was killed or is running; "
                          "remove with: bpfkit unpin " + path + ")"
                        : " (not part of bpfkit's layout)"));
  }
  if (!had_layout) {
    std::printf("%s holds no bpfkit pins (progs/, maps/, links/); nothing removed\n", dir.c_str());
  } else if (kept.empty() && dir != "/") {
    // DIR goes when empty, unless it is a mount point (another device than
    // its parent's).
    std::size_t slash = dir.rfind('/');
    std::string parent_path = slash == 0 ? "/" : dir.substr(0, slash);
    try {
      bpfkit::dir_fd parent = bpfkit::open_pin_dir(parent_path, bpfkit::pin_dir_use::read);
      if (same_device(parent.get(), top.get()) &&
          ::unlinkat(parent.get(), dir.substr(slash + 1).c_str(), AT_REMOVEDIR) == 0)
        std::printf("removed %s/ (now empty)\n", dir.c_str());
    } catch (const bpfkit::pin_path_error &) {
      // The parent is not on bpffs: DIR is the mount point itself.
    }
  }
  if (!kept.empty()) {
    std::printf("left %zu entr%s that bpfkit did not pin:\n", kept.size(), kept.size() == 1 ? "y" : "ies");
    for (const std::string &k : kept) std::printf("  %s\n", k.c_str());
  }
  return exit_ok;
}

}  // namespace bpfkit::cli
