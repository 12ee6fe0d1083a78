// bpfkit::testing::pin_directory, the GoogleTest fixtures' private pin
// directories, under a pin root someone else made first (issue 9 item 3):
// refused with a message, nothing made or removed there. Each test points
// the fixtures at a pin root of its own (BPFKIT_TEST_PIN_ROOT), never at the
// real /sys/fs/bpf/bpfkit-test that other test processes use.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "bpfkit/pin_path.hpp"
#include "bpfkit/testing/environment.hpp"

namespace {

namespace fs = std::filesystem;

class pin_root_fixture_test : public ::testing::Test {
 protected:
  void SetUp() override {
    struct statfs st {};
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (pins on /sys/fs/bpf)";
    if (::statfs("/sys/fs/bpf", &st) != 0 || st.f_type != BPF_FS_MAGIC)
      GTEST_SKIP() << "bpffs is not mounted at /sys/fs/bpf";
    base_ = "/sys/fs/bpf/bpfkit-sec-fixture-" + std::to_string(::getpid());
    victim_ = fs::temp_directory_path() / ("bpfkit-sec-fixture-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::remove_all(victim_);
    ASSERT_EQ(::mkdir(base_.c_str(), 0700), 0);
    fs::create_directories(victim_);
    root_ = base_ + "/root";
    ::setenv("BPFKIT_TEST_PIN_ROOT", root_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("BPFKIT_TEST_PIN_ROOT");
    std::error_code ec;
    if (!base_.empty()) fs::remove_all(base_, ec);
    if (!victim_.empty()) fs::remove_all(victim_, ec);
  }

  std::string error_of(bpfkit::testing::pin_directory& dir) {
    try {
      dir.path();
    } catch (const bpfkit::pin_path_error& e) {
      return e.what();
    }
    return "(no error)";
  }

  std::string base_, victim_, root_;
};

TEST_F(pin_root_fixture_test, makes_its_directory_in_a_root_it_made) {
  std::string path;
  {
    bpfkit::testing::pin_directory dir("suite.case");
    path = dir.path();
    EXPECT_EQ(path, root_ + "/" + std::to_string(::getpid()) + "-suite-case");
    struct stat st {};
    ASSERT_EQ(::lstat(root_.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    EXPECT_TRUE(fs::is_directory(path));
  }
  EXPECT_FALSE(fs::exists(path)) << "removed with the pin_directory";
}

TEST_F(pin_root_fixture_test, refuses_a_root_planted_as_a_symlink) {
  ASSERT_EQ(::symlink(victim_.c_str(), root_.c_str()), 0);
  bpfkit::testing::pin_directory dir("case");
  EXPECT_EQ(error_of(dir), root_ + " is a symbolic link; bpfkit does not follow symlinks on bpffs "
                                  "(anyone may create them there)");
  EXPECT_TRUE(fs::is_empty(victim_)) << "made its pin directory through the symlink";
}

TEST_F(pin_root_fixture_test, refuses_a_root_another_user_made) {
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  ASSERT_EQ(::chown(root_.c_str(), 65534, 65534), 0);
  bpfkit::testing::pin_directory dir("case");
  EXPECT_EQ(error_of(dir), root_ + " belongs to uid 65534, not to this user: someone created it to "
                                  "control where tests pin");
  EXPECT_TRUE(fs::is_empty(root_));
}

}  // namespace
