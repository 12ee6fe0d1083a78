#include "bpfkit/kernel_objects.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <net/if.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "attachment.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/privileges.hpp"

namespace bpfkit::kernel {
namespace {

bool denied(int err) { return err == EPERM || err == EACCES; }

[[noreturn]] void throw_errno(int err, const std::string& what) {
  // A refusal while holding CAP_BPF/CAP_SYS_ADMIN is the kernel's verdict on
  // the request (e.g. a file access mode), not a missing privilege.
  if (denied(err) && !holds_bpf_capability())
    throw error(EPERM, what + " needs privileges this process lacks (CAP_SYS_ADMIN)", error::complete);
  throw error(err, what);
}

// bpf_link_info as kernels since 6.6 define it: Debian 12's UAPI headers
// (Linux 6.1) lack the tcx and perf_event members. The layout is kernel ABI;
// the kernel accepts a longer buffer when the extra bytes are zero.
struct link_info_abi {
  std::uint32_t type;
  std::uint32_t id;
  std::uint32_t prog_id;
  std::uint32_t padding;
  union {
    struct {
      std::uint64_t tp_name;
      std::uint32_t tp_name_len;
    } raw_tracepoint;
    struct {
      std::uint32_t attach_type;
      std::uint32_t target_obj_id;
      std::uint32_t target_btf_id;
    } tracing;
    struct {
      std::uint64_t cgroup_id;
      std::uint32_t attach_type;
    } cgroup;
    struct {
      std::uint32_t netns_ino;
      std::uint32_t attach_type;
    } netns;
    struct {
      std::uint32_t ifindex;
    } xdp;
    struct {
      std::uint32_t ifindex;
      std::uint32_t attach_type;
    } tcx;
    struct {
      std::uint32_t type;  // enum bpf_perf_event_type
      std::uint32_t padding;
      union {
        struct {
          std::uint64_t file_name;
          std::uint32_t name_len;
          std::uint32_t offset;
        } uprobe;
        struct {
          std::uint64_t func_name;
          std::uint32_t name_len;
          std::uint32_t offset;
          std::uint64_t addr;
        } kprobe;
        struct {
          std::uint64_t tp_name;
          std::uint32_t name_len;
        } tracepoint;
      };
    } perf_event;
    std::uint8_t reserved[128];
  };
};

// Numbers newer than libbpf 1.1.2's tables.
constexpr std::uint32_t link_type_tcx = 11, link_type_perf_event = 7;
using detail::attach_tcx_ingress, detail::attach_tcx_egress;
enum perf_event_type : std::uint32_t {
  perf_uprobe = 1,
  perf_uretprobe = 2,
  perf_kprobe = 3,
  perf_kretprobe = 4,
  perf_tracepoint = 5,
  perf_event = 6,
};

std::string link_type_name(std::uint32_t type) {
  if (const char* name = libbpf_bpf_link_type_str(static_cast<bpf_link_type>(type))) return name;
  switch (type) {
    case 10: return "netfilter";
    case 11: return "tcx";
    case 12: return "uprobe_multi";
    case 13: return "netkit";
    case 14: return "sockmap";
    default: return "type " + std::to_string(type);
  }
}

std::string attach_type_name(std::uint32_t type) {
  if (type == attach_tcx_ingress) return "tcx_ingress";
  if (type == attach_tcx_egress) return "tcx_egress";
  if (const char* name = libbpf_bpf_attach_type_str(static_cast<bpf_attach_type>(type))) return name;
  return "attach type " + std::to_string(type);
}

std::string hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

template <typename Info>
void get_info(int fd, Info& info, const char* what) {
  std::uint32_t size = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0) throw_errno(errno, std::string("reading ") + what);
}

struct btf_deleter {
  void operator()(btf* b) const { btf__free(b); }
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

// The name of a program's first function in its BTF: the full C name, where
// the kernel keeps only 15 characters.
std::string full_program_name(int fd, const bpf_prog_info& info) {
  if (!info.btf_id || !info.nr_func_info) return {};
  std::uint32_t record = info.func_info_rec_size ? info.func_info_rec_size : sizeof(bpf_func_info);
  std::vector<std::uint8_t> records(record);  // the first one is the program's own
  bpf_prog_info query{};
  query.nr_func_info = 1;
  query.func_info_rec_size = record;
  query.func_info = reinterpret_cast<std::uintptr_t>(records.data());
  std::uint32_t size = sizeof query;
  if (bpf_obj_get_info_by_fd(fd, &query, &size) != 0) return {};
  btf_ptr program_btf(btf__load_from_kernel_by_id(info.btf_id));
  if (!program_btf) return {};
  bpf_func_info first{};
  std::memcpy(&first, records.data(), std::min<std::size_t>(sizeof first, records.size()));
  const btf_type* type = btf__type_by_id(program_btf.get(), first.type_id);
  const char* name = type ? btf__name_by_offset(program_btf.get(), type->name_off) : nullptr;
  return name ? name : "";
}

// The cgroup v2 directory whose inode number is `id` (the kernel's cgroup
// id), searched under the usual mount point and a few levels deep. The
// directories seen are remembered: a listing asks once per cgroup link.
std::string cgroup_path(std::uint64_t id) {
  static std::map<std::uint64_t, std::string> seen;
  static std::vector<std::pair<std::string, int>> pending = {{"/sys/fs/cgroup", 0}};
  static std::size_t visited = 0;
  static std::mutex lock;
  std::lock_guard guard(lock);
  if (auto found = seen.find(id); found != seen.end()) return found->second;
  while (!pending.empty() && visited < 20000) {
    auto [dir, depth] = pending.back();
    pending.pop_back();
    ++visited;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) continue;
    seen.emplace(st.st_ino, dir);
    if (depth < 8) {
      if (DIR* handle = ::opendir(dir.c_str())) {
        while (const dirent* entry = ::readdir(handle)) {
          if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
          pending.emplace_back(dir + "/" + entry->d_name, depth + 1);
        }
        ::closedir(handle);
      }
    }
    if (st.st_ino == id) return dir;
  }
  return {};
}

// The name of BTF type `type_id` of kernel BTF object `object_id` (vmlinux
// or a module): the function a tracing link attaches to.
// Each kernel BTF is parsed once per process (vmlinux's is megabytes).
std::string kernel_btf_name(std::uint32_t object_id, std::uint32_t type_id) {
  std::shared_ptr<const ::btf> vmlinux;
  const ::btf* types = nullptr;
  if (object_id == 0) {
    try {
      vmlinux = vmlinux_btf();
    } catch (const error&) {
      return {};
    }
    types = vmlinux.get();
  } else {
    // A module's BTF, kept for the process like vmlinux's (never erased).
    static std::map<std::uint32_t, btf_ptr> modules;
    static std::mutex lock;
    std::lock_guard guard(lock);
    btf_ptr& module = modules[object_id];
    if (!module) module.reset(btf__load_from_kernel_by_id(object_id));
    types = module.get();
  }
  if (!types) return {};
  const btf_type* type = btf__type_by_id(types, type_id);
  const char* name = type ? btf__name_by_offset(types, type->name_off) : nullptr;
  return name ? name : "";
}

// Fills in an interface's name when this network namespace runs `prog_id`
// at `point.ifindex` (checked with `runs_here`), else marks it foreign.
template <typename Check>
void name_interface(attach_point& point, Check runs_here) {
  std::array<char, IF_NAMESIZE> name{};
  if (point.ifindex && runs_here() && ::if_indextoname(point.ifindex, name.data())) {
    point.target = name.data();
  } else {
    point.in_this_netns = false;
    point.target = "ifindex " + std::to_string(point.ifindex);
  }
}

bool xdp_runs(std::uint32_t ifindex, std::uint32_t prog_id) {
  bpf_xdp_query_opts opts{};
  opts.sz = sizeof opts;
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &opts) != 0) return false;
  return prog_id && (opts.prog_id == prog_id || opts.drv_prog_id == prog_id ||
                     opts.skb_prog_id == prog_id || opts.hw_prog_id == prog_id);
}

bool tcx_runs(std::uint32_t ifindex, std::uint32_t attach_type, std::uint32_t prog_id) {
  std::array<std::uint32_t, 64> ids{};
  std::uint32_t count = ids.size();
  if (bpf_prog_query(static_cast<int>(ifindex), static_cast<bpf_attach_type>(attach_type), 0,
                     nullptr, ids.data(), &count) != 0)
    return false;
  count = std::min<std::uint32_t>(count, ids.size());
  return std::find(ids.begin(), ids.begin() + count, prog_id) != ids.begin() + count;
}

template <typename Describe, typename Info>
std::vector<Info> list(object_kind kind, Describe describe) {
  std::vector<Info> out;
  for (std::uint32_t id : ids(kind)) {
    try {
      object_fd fd = open_by_id(kind, id);
      out.push_back(describe(fd.get()));
    } catch (const error& e) {
      if (e.code().value() != ENOENT) throw;  // unloaded since it was listed
    }
  }
  return out;
}

}  // namespace

const char* kind_name(object_kind kind) {
  switch (kind) {
    case object_kind::program: return "program";
    case object_kind::map: return "map";
    case object_kind::link: return "link";
  }
  return "object";
}

object_fd::object_fd(object_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

object_fd& object_fd::operator=(object_fd&& other) noexcept {
  std::swap(fd_, other.fd_);
  return *this;
}

object_fd::~object_fd() {
  if (fd_ >= 0) ::close(fd_);
}

int object_fd::release() noexcept { return std::exchange(fd_, -1); }

std::vector<std::uint32_t> ids(object_kind kind) {
  std::vector<std::uint32_t> out;
  std::uint32_t id = 0;
  for (;;) {
    int rc = kind == object_kind::program ? bpf_prog_get_next_id(id, &id)
             : kind == object_kind::map   ? bpf_map_get_next_id(id, &id)
                                          : bpf_link_get_next_id(id, &id);
    if (rc != 0) {
      if (errno == ENOENT) break;
      throw_errno(errno, std::string("listing the loaded ") + kind_name(kind) + "s");
    }
    out.push_back(id);
  }
  return out;
}

object_fd open_by_id(object_kind kind, std::uint32_t id) {
  int fd = kind == object_kind::program ? bpf_prog_get_fd_by_id(id)
           : kind == object_kind::map   ? bpf_map_get_fd_by_id(id)
                                        : bpf_link_get_fd_by_id(id);
  if (fd < 0) {
    int err = errno;
    std::string what = std::string(kind_name(kind)) + " id " + std::to_string(id);
    if (err == ENOENT) throw error(ENOENT, "no " + what + " is loaded", error::complete);
    throw_errno(err, "opening " + what);
  }
  return object_fd(fd);
}

std::optional<object_kind> kind_of(int fd) {
  std::array<char, 64> target{};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (n <= 0) return std::nullopt;
  std::string_view name(target.data(), static_cast<std::size_t>(n));
  if (name == "anon_inode:bpf-prog") return object_kind::program;
  if (name == "anon_inode:bpf-map") return object_kind::map;
  if (name == "anon_inode:bpf_link" || name == "anon_inode:bpf-link") return object_kind::link;
  return std::nullopt;
}

std::optional<std::uint32_t> parse_id_reference(std::string_view text) {
  if (!text.starts_with("id:")) return std::nullopt;
  std::string_view digits = text.substr(3);
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || id == 0)
    throw error(EINVAL,
                "'" + std::string(text) + "' is not an object id: write id:N with the decimal id that 'bpfkit list' shows",
                error::complete);
  return id;
}

std::string attach_point::describe() const {
  if (target.empty()) return hook;
  return hook + (hook.starts_with("xdp") || hook.starts_with("tc ") ? " on " : " ") + target;
}

program_info describe_program(int fd) {
  bpf_prog_info info{};
  get_info(fd, info, "a program's info");
  program_info out;
  out.id = info.id;
  const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
  out.type = type ? type : "type " + std::to_string(info.type);
  out.type_code = static_cast<program_type>(info.type);
  out.kernel_name = info.name;
  out.tag = hex(info.tag, sizeof info.tag);
  out.verified_insns = info.verified_insns;
  out.xlated_bytes = info.xlated_prog_len;
  out.jited_bytes = info.jited_prog_len;
  out.btf_id = info.btf_id;
  out.uid = info.created_by_uid;
  out.gpl = info.gpl_compatible;
  if (info.nr_map_ids) {
    std::vector<std::uint32_t> map_ids(info.nr_map_ids);
    bpf_prog_info query{};
    query.nr_map_ids = static_cast<std::uint32_t>(map_ids.size());
    query.map_ids = reinterpret_cast<std::uintptr_t>(map_ids.data());
    get_info(fd, query, "a program's map ids");
    map_ids.resize(std::min<std::size_t>(map_ids.size(), query.nr_map_ids));
    out.map_ids = std::move(map_ids);
  }
  // Only a name the kernel may have cut needs the BTF.
  if (out.kernel_name.size() + 1 >= sizeof info.name) out.name = full_program_name(fd, info);
  if (out.name.empty()) out.name = out.kernel_name;
  return out;
}

map_info describe_map(int fd) {
  bpf_map_info info{};
  get_info(fd, info, "a map's info");
  map_info out;
  out.id = info.id;
  const char* type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(info.type));
  out.type = type ? type : "type " + std::to_string(info.type);
  out.name = info.name;
  out.key_size = info.key_size;
  out.value_size = info.value_size;
  out.max_entries = info.max_entries;
  out.flags = info.map_flags;
  out.btf_id = info.btf_id;
  return out;
}

link_info describe_link(int fd) {
  link_info_abi info{};
  get_info(fd, info, "a link's info");
  link_info out;
  out.id = info.id;
  out.type = link_type_name(info.type);
  out.prog_id = info.prog_id;
  attach_point& point = out.point;

  // Names are copied out by a second call that gives them a buffer.
  std::array<char, 512> name{};
  auto read_name = [&](auto&& set_buffer) -> std::string {
    link_info_abi query{};
    set_buffer(query, reinterpret_cast<std::uintptr_t>(name.data()), static_cast<std::uint32_t>(name.size()));
    std::uint32_t size = sizeof query;
    if (bpf_obj_get_info_by_fd(fd, &query, &size) != 0) return {};
    name.back() = '\0';
    return name.data();
  };

  switch (info.type) {
    case BPF_LINK_TYPE_XDP:
      point.hook = "xdp";
      point.ifindex = info.xdp.ifindex;
      name_interface(point, [&] { return xdp_runs(point.ifindex, info.prog_id); });
      break;
    case link_type_tcx:
      point.hook = info.tcx.attach_type == attach_tcx_egress ? "tc egress" : "tc ingress";
      point.ifindex = info.tcx.ifindex;
      name_interface(point, [&] { return tcx_runs(point.ifindex, info.tcx.attach_type, info.prog_id); });
      break;
    case BPF_LINK_TYPE_CGROUP:
      point.hook = "cgroup";
      point.cgroup_id = info.cgroup.cgroup_id;
      point.target = cgroup_path(info.cgroup.cgroup_id);
      if (point.target.empty()) point.target = "id " + std::to_string(info.cgroup.cgroup_id);
      point.target += " (" + attach_type_name(info.cgroup.attach_type) + ")";
      break;
    case BPF_LINK_TYPE_RAW_TRACEPOINT:
      point.hook = "raw_tracepoint";
      point.target = read_name([](link_info_abi& q, std::uint64_t buffer, std::uint32_t size) {
        q.raw_tracepoint.tp_name = buffer;
        q.raw_tracepoint.tp_name_len = size;
      });
      break;
    case BPF_LINK_TYPE_TRACING: {
      std::string kind = attach_type_name(info.tracing.attach_type);
      point.hook = kind.starts_with("trace_") ? kind.substr(6) : kind;  // fentry, fexit, ...
      point.target = kernel_btf_name(info.tracing.target_obj_id, info.tracing.target_btf_id);
      break;
    }
    case BPF_LINK_TYPE_NETNS:
      point.hook = attach_type_name(info.netns.attach_type);
      point.target = "netns inode " + std::to_string(info.netns.netns_ino);
      break;
    case link_type_perf_event:
      switch (info.perf_event.type) {
        case perf_tracepoint:
          point.hook = "tracepoint";
          point.target = read_name([](link_info_abi& q, std::uint64_t buffer, std::uint32_t size) {
            q.perf_event.tracepoint.tp_name = buffer;
            q.perf_event.tracepoint.name_len = size;
          });
          break;
        case perf_kprobe:
        case perf_kretprobe:
          point.hook = info.perf_event.type == perf_kprobe ? "kprobe" : "kretprobe";
          point.target = read_name([](link_info_abi& q, std::uint64_t buffer, std::uint32_t size) {
            q.perf_event.kprobe.func_name = buffer;
            q.perf_event.kprobe.name_len = size;
          });
          if (info.perf_event.kprobe.offset)
            point.target += "+" + std::to_string(info.perf_event.kprobe.offset);
          break;
        case perf_uprobe:
        case perf_uretprobe:
          point.hook = info.perf_event.type == perf_uprobe ? "uprobe" : "uretprobe";
          point.target = read_name([](link_info_abi& q, std::uint64_t buffer, std::uint32_t size) {
            q.perf_event.uprobe.file_name = buffer;
            q.perf_event.uprobe.name_len = size;
          });
          point.target += "+" + std::to_string(info.perf_event.uprobe.offset);
          break;
        default:
          point.hook = "perf_event";
      }
      break;
    default:
      point.hook = out.type;
  }
  return out;
}

std::vector<program_info> list_programs() {
  return list<decltype(&describe_program), program_info>(object_kind::program, describe_program);
}

std::vector<map_info> list_maps() {
  return list<decltype(&describe_map), map_info>(object_kind::map, describe_map);
}

std::vector<link_info> list_links() {
  return list<decltype(&describe_link), link_info>(object_kind::link, describe_link);
}

std::vector<std::pair<std::uint32_t, attach_point>> xdp_attachments() {
  std::vector<std::pair<std::uint32_t, attach_point>> out;
  struct if_nameindex* interfaces = ::if_nameindex();
  if (!interfaces) return out;
  for (struct if_nameindex* i = interfaces; i->if_index; ++i) {
    bpf_xdp_query_opts opts{};
    opts.sz = sizeof opts;
    if (bpf_xdp_query(static_cast<int>(i->if_index), 0, &opts) != 0) continue;
    const std::pair<std::uint32_t, const char*> modes[] = {
        {opts.drv_prog_id, "xdp"}, {opts.skb_prog_id, "xdp (generic)"}, {opts.hw_prog_id, "xdp (offload)"}};
    for (auto [prog_id, hook] : modes) {
      if (!prog_id) continue;
      attach_point point;
      point.hook = hook;
      point.target = i->if_name;
      point.ifindex = i->if_index;
      out.emplace_back(prog_id, point);
    }
  }
  ::if_freenameindex(interfaces);
  return out;
}

std::vector<pinned_object> pinned_objects(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) {
    int err = errno;
    if (err == ENOENT) throw error(ENOENT, path + ": no such file or directory", error::complete);
    throw_errno(err, "reading " + path);
  }
  if (static_cast<unsigned long>(fs.f_type) != BPF_FS_MAGIC)
    throw error(EINVAL, path + " is not on a BPF filesystem (bpffs)", error::complete);
  std::vector<pinned_object> out;
  std::vector<std::string> pending = {path};
  while (!pending.empty()) {
    std::string current = pending.back();
    pending.pop_back();
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0) continue;  // removed meanwhile
    if (S_ISDIR(st.st_mode)) {
      DIR* handle = ::opendir(current.c_str());
      if (!handle) {
        if (denied(errno) && current == path) throw_errno(errno, "reading " + path);
        continue;
      }
      while (const dirent* entry = ::readdir(handle)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") pending.push_back(current + "/" + name);
      }
      ::closedir(handle);
      continue;
    }
    object_fd fd(bpf_obj_get(current.c_str()));
    if (fd.get() < 0) {
      if (denied(errno) && current == path) throw_errno(errno, "opening " + path);
      continue;
    }
    std::optional<object_kind> kind = kind_of(fd.get());
    if (!kind) continue;
    // bpf_prog_info, bpf_map_info and bpf_link_info all start with type, id.
    struct {
      std::uint32_t type, id;
    } head{};
    std::uint32_t size = sizeof head;
    if (bpf_obj_get_info_by_fd(fd.get(), &head, &size) != 0) continue;
    out.push_back({current, *kind, head.id});
  }
  std::sort(out.begin(), out.end(),
            [](const pinned_object& a, const pinned_object& b) { return a.path < b.path; });
  return out;
}

translated_program read_translated(int fd) {
  translated_program out;
  out.info = describe_program(fd);
  bpf_prog_info info{};
  get_info(fd, info, "a program's info");
  if (info.xlated_prog_len == 0)
    throw error(EPERM,
                "the kernel does not show this process program " + std::to_string(info.id) +
                    "'s translated instructions (needs CAP_PERFMON or CAP_SYS_ADMIN)",
                error::complete);
  out.jited = info.jited_prog_len > 0;
  out.line_info_record_size = info.line_info_rec_size ? info.line_info_rec_size : sizeof(bpf_line_info);
  out.func_info_record_size = info.func_info_rec_size ? info.func_info_rec_size : sizeof(bpf_func_info);
  out.instructions.resize(info.xlated_prog_len);
  out.line_info.resize(static_cast<std::size_t>(info.nr_line_info) * out.line_info_record_size);
  out.func_info.resize(static_cast<std::size_t>(info.nr_func_info) * out.func_info_record_size);

  bpf_prog_info query{};
  query.xlated_prog_len = static_cast<std::uint32_t>(out.instructions.size());
  query.xlated_prog_insns = reinterpret_cast<std::uintptr_t>(out.instructions.data());
  query.nr_line_info = info.nr_line_info;
  query.line_info_rec_size = out.line_info_record_size;
  query.line_info = reinterpret_cast<std::uintptr_t>(out.line_info.data());
  query.nr_func_info = info.nr_func_info;
  query.func_info_rec_size = out.func_info_record_size;
  query.func_info = reinterpret_cast<std::uintptr_t>(out.func_info.data());
  get_info(fd, query, "a program's translated instructions");
  out.instructions.resize(std::min<std::size_t>(out.instructions.size(), query.xlated_prog_len));
  return out;
}

namespace {

std::shared_ptr<const ::btf> shared_btf(::btf* types) {
  return std::shared_ptr<const ::btf>(types, [](const ::btf* b) { btf__free(const_cast<::btf*>(b)); });
}

// A record of `size` bytes (the kernel's record size may exceed ours).
template <class Record>
Record record_at(const std::vector<std::uint8_t>& records, std::size_t index, std::size_t size) {
  Record r{};
  std::memcpy(&r, records.data() + index * size, std::min(sizeof r, size));
  return r;
}

}  // namespace

std::shared_ptr<const ::btf> load_btf(std::uint32_t btf_id) {
  if (btf_id == 0) throw error(ENOENT, "read BTF id 0: no BTF has id 0");
  ::btf* types = btf__load_from_kernel_by_id(btf_id);
  if (!types) throw_errno(errno, "reading BTF id " + std::to_string(btf_id));
  return shared_btf(types);
}

program_source read_source(const translated_program& program) {
  program_source out;
  if (!program.info.btf_id) return out;
  std::shared_ptr<const ::btf> types = load_btf(program.info.btf_id);
  const ::btf* b = types.get();
  if (std::size_t size = program.line_info_record_size; size)
    for (std::size_t i = 0; i < program.line_info.size() / size; ++i) {
      auto l = record_at<bpf_line_info>(program.line_info, i, size);
      const char* file = btf__name_by_offset(b, l.file_name_off);
      const char* text = btf__name_by_offset(b, l.line_off);
      out.lines.push_back({l.insn_off, file ? file : "", BPF_LINE_INFO_LINE_NUM(l.line_col),
                           BPF_LINE_INFO_LINE_COL(l.line_col), text ? text : ""});
    }
  if (std::size_t size = program.func_info_record_size; size)
    for (std::size_t i = 0; i < program.func_info.size() / size; ++i) {
      auto f = record_at<bpf_func_info>(program.func_info, i, size);
      const btf_type* type = btf__type_by_id(b, f.type_id);
      const char* name = type ? btf__name_by_offset(b, type->name_off) : nullptr;
      if (name && *name) out.functions.push_back({f.insn_off, name});
    }
  return out;
}

std::shared_ptr<const ::btf> btf_of_program_using(std::uint32_t map_id) {
  // Without the privilege to list programs, none is known to use the map.
  std::uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    object_fd fd(bpf_prog_get_fd_by_id(id));
    if (fd.get() < 0) continue;  // gone since it was listed
    bpf_prog_info info{};
    std::uint32_t size = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &size) != 0 || !info.btf_id || !info.nr_map_ids)
      continue;
    std::vector<std::uint32_t> map_ids(info.nr_map_ids);
    const std::uint32_t btf_id = info.btf_id;
    info = bpf_prog_info{};
    info.nr_map_ids = static_cast<std::uint32_t>(map_ids.size());
    info.map_ids = reinterpret_cast<std::uintptr_t>(map_ids.data());
    size = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &size) != 0) continue;
    map_ids.resize(std::min<std::size_t>(map_ids.size(), info.nr_map_ids));
    if (std::find(map_ids.begin(), map_ids.end(), map_id) == map_ids.end()) continue;
    ::btf* types = btf__load_from_kernel_by_id(btf_id);
    if (types) return shared_btf(types);
    if (int err = errno; denied(err))
      throw error(err, "reading the BTF of program id " + std::to_string(id) + " needs privileges");
    return nullptr;
  }
  return nullptr;
}

namespace {

::btf* parse_vmlinux_btf() {
  constexpr const char* sysfs = "/sys/kernel/btf/vmlinux";
  ::btf* types = btf__load_vmlinux_btf();
  // libbpf says only ESRCH ("No such process") when no location it tries
  // holds usable BTF: tell a kernel without BTF from one whose BTF is unusable.
  if (!types && errno == ESRCH) {
    if (access(sysfs, F_OK) != 0)
      throw error(ENOENT, std::string("the kernel has no BTF: ") + sysfs +
                              " is missing (the kernel needs CONFIG_DEBUG_INFO_BTF) and no vmlinux "
                              "with BTF is under /boot or /lib/modules",
                  error::complete);
    types = btf__parse(sysfs, nullptr);
  }
  if (!types) throw_errno(errno, std::string("reading the kernel's BTF (") + sysfs + ")");
  return types;
}

}  // namespace

std::shared_ptr<const ::btf> vmlinux_btf() {
  // Megabytes of types: parsed once per process, shared by every caller. A
  // kernel without BTF stays without: the failure is kept too.
  static std::mutex lock;
  static std::shared_ptr<const ::btf> parsed;
  static std::optional<error> failure;
  std::lock_guard guard(lock);
  if (failure) throw *failure;
  if (!parsed) {
    try {
      parsed = shared_btf(parse_vmlinux_btf());
    } catch (const error& e) {
      failure = e;
      throw;
    }
  }
  return parsed;
}

std::map<std::int32_t, std::string> helper_names() {
  std::map<std::int32_t, std::string> names;
  std::shared_ptr<const ::btf> kernel;
  try {
    kernel = vmlinux_btf();
  } catch (const error&) {
    return names;
  }
  int id = btf__find_by_name_kind(kernel.get(), "bpf_func_id", BTF_KIND_ENUM);
  const btf_type* type = id > 0 ? btf__type_by_id(kernel.get(), static_cast<std::uint32_t>(id)) : nullptr;
  if (!type) return names;
  const struct btf_enum* values = btf_enum(type);
  for (std::uint16_t i = 0; i < btf_vlen(type); ++i) {
    const char* name = btf__name_by_offset(kernel.get(), values[i].name_off);
    std::string_view text = name ? name : "";
    if (text.starts_with("BPF_FUNC_")) names[values[i].val] = "bpf_" + std::string(text.substr(9));
  }
  return names;
}

std::uint32_t count_btf_types(const std::string& path) {
  ::btf* types = btf__parse_raw(path.c_str());
  if (!types) throw error(errno, path + ": not valid BTF");
  std::uint32_t count = btf__type_cnt(types);
  btf__free(types);
  return count;
}

}  // namespace bpfkit::kernel
