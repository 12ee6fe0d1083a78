#include "bpfkit/inspect/btf_source.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <span>

#include "bpfkit/error.hpp"
#include "bpfkit/file_io.hpp"
#include "bpfkit/inspect/error.hpp"
#include "bpfkit/object_check.hpp"

namespace bpfkit::inspect {
namespace {

constexpr const char *kernel_btf_dir = "/sys/kernel/btf";
constexpr std::uint16_t elf_machine_bpf = 247;  // EM_BPF

using category = error::category;

std::string named(const std::string &path, const std::string &role) {
  return role.empty() ? path : role + " " + path;
}

bool denied(int err) { return err == EPERM || err == EACCES; }

// Closes a file descriptor on every path.
class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard &) = delete;
  fd_guard &operator=(const fd_guard &) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

error privilege_error(const std::string &what, int err) {
  return error(category::no_privilege, what + ": " + error_category().message(err),
               "run as root, or with CAP_BPF (and CAP_SYS_ADMIN to read BTF by id)");
}

// What a file descriptor of the bpf() syscall refers to: "bpf-map",
// "bpf-prog", "bpf-link"... (the name of its anonymous inode).
std::string bpf_fd_kind(int fd) {
  std::array<char, 128> target{};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (n <= 0) return {};
  std::string name(target.data(), static_cast<std::size_t>(n));
  const std::string prefix = "anon_inode:";
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

std::uint32_t parse_map_id(const std::string &argument) {
  const std::string digits = argument.substr(3);
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || id == 0)
    throw error(category::bad_input, "'" + argument + "' is not a map id",
                "write id:N with the decimal id that 'bpftool map list' shows");
  return id;
}

// Files of BTF may be large: a kernel's vmlinux with debug info is several
// hundred MiB (bpfkit-vmlinux takes the same limit).
constexpr std::size_t max_btf_file_size = std::size_t{4} << 30;

file_io::input_file open_btf_file(const std::string &path, const std::string &role) {
  try {
    return file_io::open_input(path, max_btf_file_size);
  } catch (const file_io::file_error &e) {
    throw error(category::bad_input, named(path, role) + ": " + e.what());
  }
}

}  // namespace

file_kind classify_file(const std::string &path, const std::string &role) {
  // Never blocks (a FIFO is refused), and a directory is refused by name.
  const file_io::input_file in = open_btf_file(path, role);
  std::array<unsigned char, 20> head{};
  ssize_t n = ::pread(in.fd(), head.data(), head.size(), 0);
  if (n >= 20 && std::memcmp(head.data(), "\x7f" "ELF", 4) == 0) {
    const bool little = head[5] == 1;
    const std::uint16_t machine = little ? static_cast<std::uint16_t>(head[18] | head[19] << 8)
                                         : static_cast<std::uint16_t>(head[18] << 8 | head[19]);
    return machine == elf_machine_bpf ? file_kind::bpf_object : file_kind::elf;
  }
  if (n >= 2 && ((head[0] == 0x9f && head[1] == 0xeb) || (head[0] == 0xeb && head[1] == 0x9f)))
    return file_kind::raw_btf;
  throw error(category::bad_input, named(path, role) + ": neither a BPF object nor a BTF file",
              "give a .bpf.o built by bpf_add_object(), a vmlinux, or a raw BTF file such as "
              "/sys/kernel/btf/vmlinux");
}

named_btf read_btf_file(const std::string &path, const std::string &role) {
  const file_kind kind = classify_file(path, role);
  // Read once and checked before libbpf parses it: libbpf 1.1 crashes on
  // malformed BTF and words what it refuses as an errno ("No such file or
  // directory" for a damaged ELF file).
  const file_io::input_file in = open_btf_file(path, role);
  std::optional<file_io::input_file::mapping> mapped;
  try {
    mapped.emplace(in.map_all());
  } catch (const file_io::file_error &e) {
    throw error(category::bad_input, named(path, role) + ": " + e.what());
  }
  const std::span<const std::byte> bytes = mapped->bytes();
  const char *const damaged = "the file is damaged or not BTF: copy or regenerate it";
  std::span<const std::byte> btf_bytes = bytes;
  if (kind != file_kind::raw_btf) {
    object_check::result problem =
        kind == file_kind::bpf_object ? object_check::check_bpf_object(bytes) : object_check::check_elf_structure(bytes);
    if (problem) throw error(category::bad_input, named(path, role) + ": " + problem->message(), damaged);
    const std::optional<std::span<const std::byte>> section = object_check::find_elf_section(bytes, ".BTF");
    if (!section || section->empty()) {
      if (kind == file_kind::bpf_object)
        throw error(category::bad_input, named(path, role) + ": the object has no BTF",
                    "compile with -g (bpf_add_object() does)");
      throw error(category::bad_input, named(path, role) + ": no .BTF section in this ELF file",
                  "give a vmlinux built with CONFIG_DEBUG_INFO_BTF=y, a BPF object or a raw BTF file");
    }
    btf_bytes = *section;
  }
  if (object_check::result problem = object_check::check_btf(btf_bytes))
    throw error(category::bad_input, named(path, role) + ": " + problem->message(), damaged);
  btf *b = btf__new(btf_bytes.data(), static_cast<std::uint32_t>(btf_bytes.size()));
  if (!b) {
    const int err = errno;
    throw error(category::bad_input, named(path, role) + ": cannot read its BTF: " + error_category().message(err),
                "the BTF is corrupt or of a format this libbpf does not know");
  }
  return {owned_btf(b), path};
}

named_btf read_running_kernel_btf() {
  const std::string path = std::string(kernel_btf_dir) + "/vmlinux";
  if (::access(path.c_str(), R_OK) != 0) {
    int err = errno;
    throw error(category::bad_input,
                "the running kernel has no BTF: " + path + ": " + std::strerror(err),
                "use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or give another kernel's BTF "
                "with --btf FILE");
  }
  return read_btf_file(path);
}

std::vector<module_btf> read_running_module_btfs(const btf *vmlinux) {
  std::vector<module_btf> modules;
  DIR *dir = ::opendir(kernel_btf_dir);
  if (!dir) return modules;
  while (const dirent *entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name == "vmlinux") continue;
    const std::string path = std::string(kernel_btf_dir) + "/" + name;
    btf *b = btf__parse_split(path.c_str(), const_cast<btf *>(vmlinux));
    if (b) modules.push_back({name, owned_btf(b)});
  }
  ::closedir(dir);
  std::sort(modules.begin(), modules.end(),
            [](const module_btf &a, const module_btf &b) { return a.name < b.name; });
  return modules;
}

bool names_a_map(const std::string &argument) {
  if (argument.starts_with("id:")) return true;
  // A path that does not exist yet is judged by its nearest existing parent,
  // so that "no map pinned at /sys/fs/bpf/x" is the message, not "cannot open".
  std::string path = argument.empty() ? "." : argument;
  for (;;) {
    struct statfs fs {};
    if (::statfs(path.c_str(), &fs) == 0) return static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC;
    if (errno != ENOENT) return false;
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return false;
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
}

map_types read_map_types(const std::string &argument) {
  int fd = -1;
  if (argument.starts_with("id:")) {
    const std::uint32_t id = parse_map_id(argument);
    fd = bpf_map_get_fd_by_id(id);
    if (fd < 0) {
      int err = errno;
      if (denied(err)) throw privilege_error("opening map " + argument, err);
      throw error(category::bad_input, "no map with id " + std::to_string(id) + ": " + error_category().message(err),
                  "'bpftool map list' shows the ids of the loaded maps");
    }
  } else {
    fd = bpf_obj_get(argument.c_str());
    if (fd < 0) {
      int err = errno;
      if (denied(err)) throw privilege_error("opening " + argument, err);
      if (err == ENOENT) throw error(category::bad_input, "nothing is pinned at " + argument);
      throw error(category::bad_input, argument + ": cannot open the pinned object: " + error_category().message(err));
    }
  }
  fd_guard guard(fd);
  const std::string kind = bpf_fd_kind(fd);
  if (kind != "bpf-map") {
    const std::string what = kind == "bpf-prog" ? "a program" : kind == "bpf-link" ? "a link" : "not a map";
    throw error(category::bad_input, argument + " is " + what + ", not a map",
                "bpfkit btf shows the key and value types of a pinned map, or the types of an object file");
  }

  bpf_map_info info{};
  std::uint32_t size = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0) {
    int err = errno;
    if (denied(err)) throw privilege_error("reading the map's info", err);
    throw error(category::failed, argument + ": cannot read the map's info: " + error_category().message(err));
  }
  map_types m;
  m.name = info.name;
  m.id = info.id;
  const char *type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(info.type));
  m.type = type ? type : "type " + std::to_string(info.type);
  m.key_size = info.key_size;
  m.value_size = info.value_size;
  m.types.origin = "map " + m.name + " (id " + std::to_string(m.id) + ")";
  if (info.btf_id) {
    btf *b = btf__load_from_kernel_by_id(info.btf_id);
    if (!b) {
      int err = errno;
      if (denied(err)) throw privilege_error("reading the map's BTF (id " + std::to_string(info.btf_id) + ")", err);
      throw error(category::failed, "cannot read BTF id " + std::to_string(info.btf_id) + " of map " +
                                        m.name + ": " + error_category().message(err));
    }
    m.types.types.reset(b);
    m.key_type = info.btf_key_type_id;
    m.value_type = info.btf_value_type_id;
  }
  return m;
}

}  // namespace bpfkit::inspect
