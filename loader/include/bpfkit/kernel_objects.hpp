// What is loaded in the kernel: programs, maps and links by id, with the
// facts `bpftool prog|map|link show` prints and the attach point of each
// link (interface, tracepoint, cgroup...). Used by `bpfkit list` and by the
// commands that take `id:N` instead of a pinned path.
//
// The kernel's object lists are shared with every other process: an object
// can disappear between listing its id and opening it. The list functions
// skip such objects; opening one by id that is gone is an error (ENOENT).
// Listing and opening by id need CAP_SYS_ADMIN; failures throw bpfkit::error
// with errno EPERM then.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfkit/program_type.hpp"
#include "bpfkit/test_run.hpp"

struct btf;  // libbpf's; the BTF functions of <bpfkit/btf_text.hpp> take it

namespace bpfkit::kernel {

enum class object_kind { program, map, link };

// "program", "map", "link".
const char* kind_name(object_kind kind);

// A file descriptor of a kernel object, closed on destruction.
class object_fd {
 public:
  object_fd() noexcept = default;
  explicit object_fd(int fd) noexcept : fd_(fd) {}
  object_fd(object_fd&& other) noexcept;
  object_fd& operator=(object_fd&& other) noexcept;
  object_fd(const object_fd&) = delete;
  object_fd& operator=(const object_fd&) = delete;
  ~object_fd();
  int get() const noexcept { return fd_; }
  int release() noexcept;

 private:
  int fd_ = -1;
};

// The ids of every loaded object of `kind`, in increasing order.
std::vector<std::uint32_t> ids(object_kind kind);

// Opens object `id`. Throws bpfkit::error: ENOENT when there is none,
// EPERM without the privilege.
object_fd open_by_id(object_kind kind, std::uint32_t id);

// What `fd` refers to; nullopt for anything but a program, map or link.
std::optional<object_kind> kind_of(int fd);

// "id:N" (decimal N > 0) → N; nullopt for anything else (e.g. a path).
// Throws bpfkit::error (EINVAL) for "id:" followed by something else.
std::optional<std::uint32_t> parse_id_reference(std::string_view text);

struct program_info {
  std::uint32_t id = 0;
  std::string type;            // libbpf's name: "xdp", "sched_cls", "tracepoint"...
  program_type type_code = program_type::unspec;  // the same as the kernel's number
  std::string name;            // the full C name from the program's BTF when it has one
  std::string kernel_name;     // the kernel's copy, cut to 15 characters
  std::string tag;             // 16 hex digits, as bpftool prints it
  std::uint32_t verified_insns = 0;  // the verifier's "processed N insns"
  std::uint32_t xlated_bytes = 0;
  std::uint32_t jited_bytes = 0;
  std::vector<std::uint32_t> map_ids;
  std::uint32_t btf_id = 0;
  std::uint32_t uid = 0;
  bool gpl = false;
};

struct map_info {
  std::uint32_t id = 0;
  std::string type;  // libbpf's name: "hash", "array", "ringbuf"...
  std::string name;
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
  std::uint32_t flags = 0;
  std::uint32_t btf_id = 0;
};

// Where a link attaches its program.
struct attach_point {
  std::string hook;    // "xdp", "tc ingress", "tracepoint", "cgroup", "kprobe", "fentry"...
  std::string target;  // "veth0", "syscalls:sys_enter_getppid"-style names, a cgroup path...
  std::uint32_t ifindex = 0;  // XDP and tc: the interface's index in its network namespace
  // XDP and tc: false when no interface of this process's network namespace
  // runs the program under that index (the link lives in another namespace,
  // so `target` cannot name its interface).
  bool in_this_netns = true;
  std::uint64_t cgroup_id = 0;

  // "xdp on veth0", "tracepoint sys_enter_getppid", "cgroup /sys/fs/cgroup/x (cgroup_inet_ingress)"
  std::string describe() const;
};

struct link_info {
  std::uint32_t id = 0;
  std::string type;  // "xdp", "tcx", "perf_event", "cgroup", "tracing"...
  std::uint32_t prog_id = 0;
  attach_point point;
};

program_info describe_program(int fd);

// Runs the program behind `program_fd` (e.g. a pinned one) as
// program::test_run runs a program of a loaded object: BPF_PROG_TEST_RUN
// with the same options and defaults. Throws bpfkit::error with the
// kernel's errno; `what` names the program in the message.
test_run_result test_run(int program_fd, const test_run_opts& opts, const std::string& what);
map_info describe_map(int fd);
link_info describe_link(int fd);

// The objects loaded now, described; those that vanish while being read are
// left out.
std::vector<program_info> list_programs();
std::vector<map_info> list_maps();
std::vector<link_info> list_links();

// The XDP programs on the interfaces of this network namespace, however
// they were attached (a link, or netlink as `ip link set dev X xdp` and
// libbpf's bpf_xdp_attach do), with the program's id. hook is "xdp",
// "xdp (generic)" or "xdp (offload)".
std::vector<std::pair<std::uint32_t, attach_point>> xdp_attachments();

// An object pinned on bpffs.
struct pinned_object {
  std::string path;
  object_kind kind;
  std::uint32_t id = 0;
};

// Everything pinned under `path` (a directory on bpffs, searched
// recursively, or one pinned file), sorted by path. Pins this process may
// not open are left out. Throws bpfkit::error: ENOENT when `path` does not
// exist, EINVAL when it is not on bpffs.
std::vector<pinned_object> pinned_objects(const std::string& path);

// A loaded program's instructions as the kernel translated them, with the
// line and function info the kernel keeps for it (records as in
// struct bpf_line_info / bpf_func_info, offsets into the program's BTF).
struct translated_program {
  program_info info;
  std::vector<std::uint8_t> instructions;  // 8 bytes each (struct bpf_insn)
  std::vector<std::uint8_t> line_info;
  std::uint32_t line_info_record_size = 0;
  std::vector<std::uint8_t> func_info;
  std::uint32_t func_info_record_size = 0;
  bool jited = false;  // JIT-compiled programs encode subprogram calls differently
};

// Throws bpfkit::error: EPERM when the kernel hides the instructions from
// this process (kernel.kptr_restrict, no CAP_PERFMON).
translated_program read_translated(int fd);

// The source lines and function names of a translated program, read from
// the BTF the kernel keeps for it (its line and func info point into it).
struct program_source {
  struct line {
    std::uint32_t insn = 0;  // the first instruction of the line
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string text;
  };
  struct function {
    std::uint32_t insn = 0;  // where the function starts
    std::string name;
  };
  std::vector<line> lines;
  std::vector<function> functions;
};

// Empty for a program without BTF. Throws bpfkit::error: ENOENT when the
// program's BTF is gone, EPERM without the privilege to read it.
program_source read_source(const translated_program& program);

// The BTF object the kernel holds under `btf_id` (a program's or a map's
// btf_id). Throws bpfkit::error: ENOENT when there is none, EPERM without
// the privilege (CAP_SYS_ADMIN).
std::shared_ptr<const ::btf> load_btf(std::uint32_t btf_id);

// The running kernel's own BTF (/sys/kernel/btf/vmlinux, else libbpf's
// fallbacks under /boot and /lib/modules), parsed once per process and
// shared. Throws bpfkit::error: ENOENT when the kernel has none.
std::shared_ptr<const ::btf> vmlinux_btf();

// The BTF of a loaded program that uses map `map_id`: what describes the
// events of a ring buffer or perf event array, which libbpf creates without
// BTF of their own. Null when no program with BTF uses the map, or when this
// process may not list programs. Throws bpfkit::error (EPERM/EACCES) when
// such a program's BTF may not be read.
std::shared_ptr<const ::btf> btf_of_program_using(std::uint32_t map_id);

// The kernel's BPF helpers by number (enum bpf_func_id of the running
// kernel's BTF), named as BPF C calls them: 1 -> "bpf_map_lookup_elem".
// Empty when the kernel has no BTF.
std::map<std::int32_t, std::string> helper_names();

// How many types the raw BTF file at `path` holds (e.g.
// /sys/kernel/btf/vmlinux), void included. Throws bpfkit::error with
// libbpf's errno when it is not valid BTF (or cannot be read).
std::uint32_t count_btf_types(const std::string& path);

}  // namespace bpfkit::kernel
