// Attaching tracing programs to hooks this process triggers itself: each
// program counts the calls of this process only, and stops when detached.
#include <fcntl.h>
#include <link.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf_test.hpp"
#include "runtime_types.h"

namespace runtime_test {
namespace {

class attach_test : public bpf_test {
 protected:
  void SetUp() override {
    bpf_test::SetUp();
    if (IsSkipped()) return;
    object = load(RUNTIME_ATTACH_OBJECT);
    counts = bpfkit::hash_map<hook_key, std::uint64_t>(object.map_by_name("counts"));
  }

  std::uint64_t count(hook_kind kind) const {
    return counts.lookup({static_cast<__u32>(::getpid()), static_cast<__u32>(kind)}).value_or(0);
  }

  bpfkit::object object;
  bpfkit::hash_map<hook_key, std::uint64_t> counts;
};

void getppid_times(int n) {
  for (int i = 0; i < n; ++i) ::syscall(SYS_getppid);  // glibc's getppid() may not enter the kernel
}

void write_times(int n) {
  int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; ++i) ASSERT_EQ(::write(fd, "x", 1), 1);
  ::close(fd);
}

// The file offset of `function` in this executable, for attach_uprobe(binary, offset).
std::size_t file_offset_of(const void* function) {
  struct search {
    std::uintptr_t address;
    std::size_t offset = 0;
  } s{reinterpret_cast<std::uintptr_t>(function)};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto& s = *static_cast<search*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && s.address >= start && s.address < start + ph.p_memsz) {
            s.offset = s.address - start + ph.p_offset;
            return 1;
          }
        }
        return 0;
      },
      &s);
  return s.offset;
}

TEST_F(attach_test, TracepointCountsUntilDetached) {
  if (auto reason = ensure_tracefs()) GTEST_SKIP() << *reason;
  bpfkit::link link =
      object.program_by_name("on_getppid").attach_tracepoint("syscalls", "sys_enter_getppid");
  getppid_times(5);
  EXPECT_EQ(count(HOOK_TRACEPOINT), 5u);
  link.detach();
  getppid_times(5);
  EXPECT_EQ(count(HOOK_TRACEPOINT), 5u);
}

TEST_F(attach_test, AttachBySection) {
  if (auto reason = ensure_tracefs()) GTEST_SKIP() << *reason;
  {
    bpfkit::link link = object.program_by_name("on_getppid").attach();  // tracepoint/syscalls/...
    getppid_times(3);
  }
  getppid_times(3);
  EXPECT_EQ(count(HOOK_TRACEPOINT), 3u);
}

TEST_F(attach_test, RawTracepoint) {
  {
    bpfkit::link link = object.program_by_name("on_sys_enter").attach_raw_tracepoint("sys_enter");
    getppid_times(10);
  }
  std::uint64_t counted = count(HOOK_RAW_TRACEPOINT);
  EXPECT_GE(counted, 10u);
  getppid_times(10);
  EXPECT_EQ(count(HOOK_RAW_TRACEPOINT), counted);
}

TEST_F(attach_test, TpBtfThroughAttachTrace) {
  {
    bpfkit::link link = object.program_by_name("on_sys_enter_btf").attach_trace();
    getppid_times(10);
  }
  std::uint64_t counted = count(HOOK_TP_BTF);
  EXPECT_GE(counted, 10u);
  getppid_times(10);
  EXPECT_EQ(count(HOOK_TP_BTF), counted);
}

TEST_F(bpf_test, FentryAndFexit) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_TRAMPOLINE_OBJECT);
  try {
    object.load();
  } catch (const bpfkit::error& e) {
    // As root, EPERM means this kernel does not allow BPF trampolines.
    if (e.code() == std::errc::operation_not_permitted)
      GTEST_SKIP() << "this kernel refuses fentry/fexit programs: " << e.what();
    throw;
  }
  bpfkit::hash_map<hook_key, std::uint64_t> counts(object.map_by_name("counts"));
  auto count = [&](hook_kind kind) {
    return counts.lookup({static_cast<__u32>(::getpid()), static_cast<__u32>(kind)}).value_or(0);
  };
  {
    bpfkit::link entry = object.program_by_name("on_vfs_write").attach_trace();
    bpfkit::link exit = object.program_by_name("on_vfs_write_exit").attach_trace();
    write_times(4);
  }
  EXPECT_EQ(count(HOOK_FENTRY), 4u);
  EXPECT_EQ(count(HOOK_FEXIT), 4u);
  write_times(4);
  EXPECT_EQ(count(HOOK_FENTRY), 4u);
}

TEST_F(attach_test, KprobeAndKretprobe) {
  if (!exists("/sys/bus/event_source/devices/kprobe") &&
      !exists("/sys/kernel/tracing/kprobe_events"))
    GTEST_SKIP() << "this kernel has no kprobes (CONFIG_KPROBES is off)";
  {
    bpfkit::link entry = object.program_by_name("on_kprobe").attach_kprobe("vfs_write");
    bpfkit::link exit = object.program_by_name("on_kretprobe").attach_kprobe("vfs_write", true);
    write_times(4);
  }
  EXPECT_EQ(count(HOOK_KPROBE), 4u);
  EXPECT_EQ(count(HOOK_KRETPROBE), 4u);
}

TEST_F(attach_test, KprobeWithoutKernelSupportSaysSo) {
  if (exists("/sys/bus/event_source/devices/kprobe") || exists("/sys/kernel/tracing/kprobe_events"))
    GTEST_SKIP() << "this kernel has kprobes (KprobeAndKretprobe covers them)";
  try {
    object.program_by_name("on_kprobe").attach_kprobe("vfs_write");
    FAIL() << "attaching a kprobe without kprobe support must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("program 'on_kprobe' to kprobe vfs_write"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(attach_test, UprobeByOffsetAndUretprobeByName) {
  {
    bpfkit::link entry =
        object.program_by_name("on_uprobe")
            .attach_uprobe("/proc/self/exe",
                           file_offset_of(reinterpret_cast<const void*>(&bpfkit_uprobe_target)));
    bpfkit::link exit = object.program_by_name("on_uretprobe")
                            .attach_uprobe("/proc/self/exe", "bpfkit_uprobe_target", true);
    for (int i = 0; i < 3; ++i) bpfkit_uprobe_target(i);
  }
  bpfkit_uprobe_target(0);
  EXPECT_EQ(count(HOOK_UPROBE), 3u);
  EXPECT_EQ(count(HOOK_URETPROBE), 3u);
}

TEST_F(attach_test, LinksAndMapsPinAndUnpin) {
  pin_dir dir;
  bpfkit::link link = object.program_by_name("on_sys_enter").attach_raw_tracepoint("sys_enter");
  link.pin(dir.path("link"));
  EXPECT_TRUE(exists(dir.path("link")));
  link.unpin();
  EXPECT_FALSE(exists(dir.path("link")));

  bpfkit::map_handle map = object.map_by_name("counts");
  map.pin(dir.path("counts"));
  EXPECT_TRUE(exists(dir.path("counts")));
  map.unpin(dir.path("counts"));
  EXPECT_FALSE(exists(dir.path("counts")));
}

TEST_F(attach_test, AdoptsLibbpfLinks) {
  bpfkit::program prog = object.program_by_name("on_uprobe");
  bpf_uprobe_opts opts{};
  opts.sz = sizeof opts;
  opts.func_name = "bpfkit_uprobe_target";
  {
    bpfkit::link link = bpfkit::libbpf::adopt(
        bpf_program__attach_uprobe_opts(bpfkit::libbpf::get(prog), -1, "/proc/self/exe", 0, &opts),
        "program 'on_uprobe' to bpfkit_uprobe_target");
    ASSERT_TRUE(link);
    EXPECT_GE(link.fd(), 0);
    EXPECT_NE(bpfkit::libbpf::get(link), nullptr);
    bpfkit_uprobe_target(0);
  }
  bpfkit_uprobe_target(0);
  EXPECT_EQ(count(HOOK_UPROBE), 1u);
}

TEST_F(attach_test, AttachErrorsNameProgramAndHook) {
  try {
    object.program_by_name("count_xdp").attach();
    FAIL() << "XDP programs have no attach point in their section";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code().value(), EOPNOTSUPP);  // what skeletons' attach() skips
    EXPECT_NE(std::string(e.what()).find("attach program 'count_xdp' (by its section 'xdp')"),
              std::string::npos)
        << e.what();
  }
  try {
    object.program_by_name("on_sys_enter").attach_raw_tracepoint("no_such_tracepoint");
    FAIL() << "attaching to a missing raw tracepoint must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "attach program 'on_sys_enter' to raw tracepoint no_such_tracepoint"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace runtime_test
