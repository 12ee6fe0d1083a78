// A C++ tracepoint program (bpf/mixed.bpf.cpp) reads task_struct through
// CO-RE: what it sees of this process matches what the process sees of
// itself.
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>

#include <bpfkit/object_layout.hpp>
#include <bpfkit/testing.hpp>

#include "cxx_mixed.skel.hpp"

namespace {

class task_ids : public bpfkit::testing::skeleton_test<cxx_mixed::skeleton> {
 protected:
  void configure(cxx_mixed::skeleton& skel) override {
    skel.rodata->target_tgid = static_cast<std::uint32_t>(::getpid());
    skel.progs.reads_past_the_end.set_autoload(false);  // rejected on purpose (annotated test)
  }
};

TEST_F(task_ids, TracepointReadsTgidAndParentLikeTheHost) {
  if (!std::filesystem::exists("/sys/kernel/tracing/events/syscalls/sys_enter_getpid"))
    GTEST_SKIP() << "tracefs with syscall tracepoints is not mounted at /sys/kernel/tracing "
                    "(mount -t tracefs nodev /sys/kernel/tracing)";
  auto link = skel().progs.on_getpid.attach_tracepoint("syscalls", "sys_enter_getpid");
  const auto pid = static_cast<std::uint32_t>(::syscall(SYS_getpid));

  const auto ids = skel().maps.seen_ids.lookup(0);
  ASSERT_TRUE(ids.has_value());
  EXPECT_GE(ids->calls, 1u);
  EXPECT_EQ(ids->tgid, pid);
  EXPECT_EQ(ids->ppid, static_cast<std::uint32_t>(::getppid()));
}

TEST(task_ids_object, ReadsAreCoreRelocations) {
  // BPF_CORE_READ(task, tgid) and BPF_CORE_READ(task, real_parent, tgid):
  // three relocations, resolved against the running kernel at load time.
  const auto layouts = bpfkit::read_program_layouts(CXX_MIXED_OBJECT);
  ASSERT_TRUE(layouts.count("on_getpid"));
  EXPECT_GE(layouts.at("on_getpid").core_relos, 3u);
}

}  // namespace
