// bpfkit unpin DIR
//
// Removes what bpfkit pinned under DIR (pin_layout.hpp): the programs in
// DIR/progs/, the maps in DIR/maps/, the links in DIR/links/ (which detaches
// their programs, unless something else holds them), then those directories
// when empty, then DIR when empty and not a mount point. Everything else
// stays and is named: other entries of DIR, subdirectories, and objects of
// the wrong kind for their directory (a map in progs/, ...).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <bpf/bpf.h>

#include "cli.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

std::vector<std::string> list_directory(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = ::opendir(dir.c_str());
  if (!d) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      throw cli_error(exit_no_privilege, "cannot read " + dir + ": " + std::strerror(err),
                      "pinned BPF objects are root's: run as root");
    throw cli_error(exit_bad_input, "cannot read " + dir + ": " + std::strerror(err));
  }
  while (dirent *entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool is_directory(const std::string &path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_mount_point(const std::string &path) {
  struct stat here {}, parent {};
  if (::stat(path.c_str(), &here) != 0 || ::stat((path + "/..").c_str(), &parent) != 0) return false;
  return here.st_dev != parent.st_dev || here.st_ino == parent.st_ino;
}

bpf_kind pinned_kind(const std::string &path) {
  owned_fd fd(bpf_obj_get(path.c_str()));
  if (fd.get() < 0) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      throw cli_error(exit_no_privilege, "cannot open " + path + ": " + std::strerror(err),
                      "pinned BPF objects are root's: run as root");
    return bpf_kind::other;
  }
  return kind_of_fd(fd.get());
}

}  // namespace

int cmd_unpin(arguments &args) {
  std::string dir = args.positional("DIR (the --pin directory of bpfkit load or attach)");
  args.finish();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      throw cli_error(exit_no_privilege, "cannot open " + dir + ": " + std::strerror(err),
                      "pinned BPF objects are root's: run as root");
    if (!on_bpffs(dir)) require_bpffs(dir, "DIR");
    throw cli_error(exit_bad_input, dir + " does not exist");
  }
  require_bpffs(dir, "DIR");
  if (!S_ISDIR(st.st_mode))
    throw cli_error(exit_bad_input, dir + " is not a directory",
                    "give the --pin directory; remove a single pin with rm");

  std::vector<std::string> top = list_directory(dir);  // exit 4 when DIR is not ours to read
  pin_layout layout{dir};
  struct part {
    std::string path;
    bpf_kind kind;
    const char *plural;
  };
  const part parts[] = {{layout.links(), bpf_kind::link, "links"},
                        {layout.progs(), bpf_kind::program, "programs"},
                        {layout.maps(), bpf_kind::map, "maps"}};
  std::vector<std::string> kept;
  bool had_layout = false;
  for (const part &p : parts) {
    if (!is_directory(p.path)) continue;
    had_layout = true;
    std::size_t removed = 0;
    for (const std::string &name : list_directory(p.path)) {
      std::string path = p.path + "/" + name;
      if (is_directory(path)) {
        kept.push_back(path + "/ (a directory)");
        continue;
      }
      bpf_kind kind = pinned_kind(path);
      if (kind != p.kind) {
        kept.push_back(path + " (a " + std::string(kind_name(kind)) + " in " + p.plural +
                       "/, not pinned by bpfkit)");
        continue;
      }
      if (::unlink(path.c_str()) != 0)
        throw cli_error(exit_failed, "cannot remove " + path + ": " + std::strerror(errno));
      ++removed;
    }
    if (::rmdir(p.path.c_str()) == 0)
      std::printf("removed %zu %s and %s/\n", removed, p.plural, p.path.c_str());
    else
      std::printf("removed %zu %s from %s/\n", removed, p.plural, p.path.c_str());
  }
  for (const std::string &name : top) {
    std::string path = dir + "/" + name;
    if (::access(path.c_str(), F_OK) != 0) continue;  // removed above
    if (path == layout.progs() || path == layout.maps() || path == layout.links()) continue;
    kept.push_back(path + (is_directory(path) ? "/" : "") + " (not part of bpfkit's layout)");
  }
  if (!had_layout) {
    std::printf("%s holds no bpfkit pins (progs/, maps/, links/); nothing removed\n", dir.c_str());
  } else if (kept.empty() && !is_mount_point(dir) && ::rmdir(dir.c_str()) == 0) {
    std::printf("removed %s/ (now empty)\n", dir.c_str());
  }
  if (!kept.empty()) {
    std::printf("left %zu entr%s that bpfkit did not pin:\n", kept.size(), kept.size() == 1 ? "y" : "ies");
    for (const std::string &k : kept) std::printf("  %s\n", k.c_str());
  }
  return exit_ok;
}

}  // namespace bpfkit::cli
