// bpf_printk output captured per process: a test sees its own programs'
// lines and no one else's, while another process prints at the same time.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "bpfkit/printk_capture.hpp"
#include "kernel_fixture.hpp"
#include "test_objects.hpp"

using namespace coverage_test;

namespace {

class printk : public kernel_test {
 protected:
  void SetUp() override {
    kernel_test::SetUp();
    if (IsSkipped()) return;
    if (auto missing = ensure_tracefs()) GTEST_SKIP() << *missing;
  }
};

std::vector<std::uint8_t> tagged(std::uint32_t tag) {
  std::vector<std::uint8_t> packet = frame(64);
  std::memcpy(packet.data(), &tag, sizeof tag);
  return packet;
}

std::size_t count_tag(const std::vector<bpfkit::printk_line> &lines, std::uint32_t tag) {
  const std::string want = "printk-test tag=" + std::to_string(tag);
  return std::count_if(lines.begin(), lines.end(), [&](const auto &l) { return l.message == want; });
}

bool exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The other process: prints tag 2 until told to stop, capturing its own
// lines, then reports how many of its own and of ours it saw.
[[noreturn]] void other_test(int ready_fd, int stop_fd, int report_fd) {
  const auto bytes = read_bytes(PRINTK_OBJECT);
  load_result loaded = load(bytes, "other");
  auto capture = bpfkit::printk_capture::start();
  char byte = 1;
  if (!loaded.object || write(ready_fd, &byte, 1) != 1) _exit(2);
  for (;;) {
    test_run(loaded.object.get(), "say_tag", tagged(2));
    pollfd p{stop_fd, POLLIN, 0};
    if (poll(&p, 1, 5) > 0) break;
  }
  const auto lines = capture.lines();
  const std::size_t counts[2] = {count_tag(lines, 2), count_tag(lines, 1)};
  _exit(write(report_fd, counts, sizeof counts) == sizeof counts ? 0 : 3);
}

TEST_F(printk, a_capture_holds_this_process_lines_only_while_another_prints) {
  int ready[2], stop[2], report[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(stop), 0);
  ASSERT_EQ(pipe(report), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) other_test(ready[1], stop[0], report[1]);
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the other process did not start";

  const auto bytes = read_bytes(PRINTK_OBJECT);
  const load_result loaded = load(bytes, "mine");
  ASSERT_EQ(loaded.error, "");
  std::vector<bpfkit::printk_line> lines;
  {
    auto capture = bpfkit::printk_capture::start();
    const std::string instance = capture.instance();
    EXPECT_TRUE(exists(instance));
    EXPECT_EQ(test_run(loaded.object.get(), "say_tag", tagged(1), 3).retval, 2u);
    usleep(50000);  // the other process keeps printing meanwhile
    lines = capture.lines();
    EXPECT_EQ(test_run(loaded.object.get(), "say_tag", tagged(1)).retval, 2u);
    EXPECT_EQ(count_tag(capture.lines(), 1), 4u) << "reading the capture consumes nothing";
    capture = bpfkit::printk_capture::start();  // replaced: the first instance is removed
    EXPECT_FALSE(exists(instance));
  }
  ASSERT_EQ(write(stop[1], "x", 1), 1);
  std::size_t theirs[2] = {0, 0};
  ASSERT_EQ(read(report[0], theirs, sizeof theirs), static_cast<ssize_t>(sizeof theirs));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  EXPECT_EQ(lines.size(), 3u) << bpfkit::format_printk(lines);
  EXPECT_EQ(count_tag(lines, 1), 3u);
  for (const auto &l : lines) EXPECT_EQ(l.pid, getpid());
  EXPECT_GT(theirs[0], 0u) << "the other process printed and captured its own lines";
  EXPECT_EQ(theirs[1], 0u) << "and none of ours";
  for (int fd : {ready[0], ready[1], stop[0], stop[1], report[0], report[1]}) close(fd);
}

TEST_F(printk, instances_of_dead_processes_are_removed) {
  int path_pipe[2];
  ASSERT_EQ(pipe(path_pipe), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto capture = bpfkit::printk_capture::start();
    const std::string path = capture.instance();
    if (write(path_pipe[1], path.data(), path.size()) != static_cast<ssize_t>(path.size())) _exit(1);
    kill(getpid(), SIGKILL);  // dies without removing it
  }
  close(path_pipe[1]);
  char buffer[512];
  const ssize_t n = read(path_pipe[0], buffer, sizeof buffer);
  close(path_pipe[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_GT(n, 0);
  const std::string instance(buffer, static_cast<std::size_t>(n));
  EXPECT_NE(instance.find("/instances/bpfkit-printk-" + std::to_string(child) + "-"), std::string::npos);
  ASSERT_TRUE(exists(instance));
  auto mine = bpfkit::printk_capture::start();
  EXPECT_GE(bpfkit::remove_stale_printk_instances(), 1u);
  EXPECT_FALSE(exists(instance));
  EXPECT_TRUE(exists(mine.instance())) << "a live process's capture stays";
}

}  // namespace
