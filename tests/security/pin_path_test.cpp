// bpfkit/pin_path.hpp against a real bpffs: what pin_transaction creates and
// removes, and the test pin root that a user may try to plant (issue 9,
// items 2, 3, 5 and 9). Needs root and bpffs at /sys/fs/bpf; skipped without.
#include "bpfkit/pin_path.hpp"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using bpfkit::pin_path_error;
using bpfkit::pin_path_problem;

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// A scratch directory on bpffs and one on an ordinary file system, both
// removed (without following symlinks) after each test.
class pin_path_test : public ::testing::Test {
 protected:
  void SetUp() override {
    struct statfs st {};
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (pins on /sys/fs/bpf)";
    if (::statfs("/sys/fs/bpf", &st) != 0 || st.f_type != BPF_FS_MAGIC)
      GTEST_SKIP() << "bpffs is not mounted at /sys/fs/bpf";
    map_ = bpf_map_create(BPF_MAP_TYPE_ARRAY, "secpin_gtest", 4, 8, 1, nullptr);
    if (map_ < 0) GTEST_SKIP() << "cannot create a BPF map here";
    base_ = "/sys/fs/bpf/bpfkit-sec-gtest-" + std::to_string(::getpid());
    scratch_ = fs::temp_directory_path() / ("bpfkit-sec-gtest-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::remove_all(scratch_);
    ASSERT_EQ(::mkdir(base_.c_str(), 0700), 0);
    fs::create_directories(scratch_);
  }
  void TearDown() override {
    if (map_ >= 0) ::close(map_);
    std::error_code ec;
    if (!base_.empty()) fs::remove_all(base_, ec);
    if (!scratch_.empty()) fs::remove_all(scratch_, ec);
  }

  pin_path_problem problem_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const pin_path_error& e) {
      message_ = e.what();
      return e.problem();
    }
    ADD_FAILURE() << "no pin_path_error";
    return pin_path_problem::system;
  }

  int map_ = -1;
  std::string base_, scratch_, message_;
};

TEST_F(pin_path_test, transaction_creates_nothing_until_pinning_and_all_at_once) {
  const std::string dir = base_ + "/a/b/app";
  {
    bpfkit::pin_transaction pins(dir);
    EXPECT_FALSE(exists(base_ + "/a"));
    pins.pin(map_, "maps", "first");
    pins.pin(map_, "maps", "second");
    EXPECT_FALSE(exists(dir)) << "visible before commit()";
    EXPECT_EQ(pins.staging_path().rfind(base_ + "/a/b/bpfkit_staging_", 0), 0u) << pins.staging_path();
    pins.commit();
  }
  EXPECT_TRUE(exists(dir + "/maps/first"));
  EXPECT_TRUE(exists(dir + "/maps/second"));
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ + "/a/b"), fs::directory_iterator()), 1)
      << "only app/ is left beside the staging directory's old place";
}

TEST_F(pin_path_test, roll_back_removes_only_what_it_created) {
  ASSERT_EQ(::mkdir((base_ + "/existing").c_str(), 0700), 0);
  {
    bpfkit::pin_transaction pins(base_ + "/existing/new/app");
    pins.pin(map_, "maps", "first");
    EXPECT_TRUE(exists(base_ + "/existing/new"));
  }  // no commit()
  EXPECT_TRUE(exists(base_ + "/existing")) << "removed a directory it did not create";
  EXPECT_FALSE(exists(base_ + "/existing/new"));
}

TEST_F(pin_path_test, existing_destination_gets_each_pin_without_replacing) {
  const std::string dir = base_ + "/app";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((dir + "/maps").c_str(), 0700), 0);
  ASSERT_EQ(bpf_obj_pin(map_, (dir + "/maps/taken").c_str()), 0);
  {
    bpfkit::pin_transaction pins(dir);
    EXPECT_EQ(problem_of([&] { pins.check_free("maps", "taken"); }), pin_path_problem::exists);
    pins.check_free("maps", "free");
    pins.pin(map_, "maps", "free");
    pins.commit();
  }
  EXPECT_TRUE(exists(dir + "/maps/taken"));
  EXPECT_TRUE(exists(dir + "/maps/free"));
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_NE(entry.path().filename().string().rfind("bpfkit_staging_", 0), 0u) << entry.path();
}

TEST_F(pin_path_test, refuses_dotdot_symlinks_foreign_owners_and_other_file_systems) {
  EXPECT_EQ(problem_of([&] { bpfkit::pin_transaction(base_ + "/x/../y"); }),
            pin_path_problem::parent_reference);
  ASSERT_EQ(::symlink(scratch_.c_str(), (base_ + "/link").c_str()), 0);
  EXPECT_EQ(problem_of([&] { bpfkit::pin_transaction(base_ + "/link/app"); }), pin_path_problem::symlink);
  EXPECT_NE(message_.find(base_ + "/link is a symbolic link"), std::string::npos) << message_;
  ASSERT_EQ(::mkdir((base_ + "/theirs").c_str(), 0700), 0);
  ASSERT_EQ(::chown((base_ + "/theirs").c_str(), 65534, 65534), 0);
  EXPECT_EQ(problem_of([&] { bpfkit::pin_transaction(base_ + "/theirs/app"); }),
            pin_path_problem::unsafe_owner);
  EXPECT_EQ(problem_of([&] { bpfkit::pin_transaction(scratch_ + "/app"); }), pin_path_problem::not_bpffs);
  EXPECT_TRUE(fs::is_empty(scratch_));
  EXPECT_EQ(problem_of([&] { bpfkit::open_pinned_path(base_ + "/link/x"); }), pin_path_problem::symlink);
}

TEST_F(pin_path_test, open_pinned_at_refuses_a_symlink_to_a_pin) {
  ASSERT_EQ(bpf_obj_pin(map_, (base_ + "/real").c_str()), 0);
  ASSERT_EQ(::symlink((base_ + "/real").c_str(), (base_ + "/alias").c_str()), 0);
  bpfkit::dir_fd dir = bpfkit::open_pin_dir(base_, bpfkit::pin_dir_use::read);
  int fd = bpfkit::open_pinned_at(dir.get(), "real");
  EXPECT_GE(fd, 0) << std::strerror(errno);
  if (fd >= 0) ::close(fd);
  EXPECT_EQ(bpfkit::open_pinned_at(dir.get(), "alias"), -1);
  EXPECT_EQ(errno, ELOOP);
}

// Item 3: the root of the tests' pin directories.
TEST_F(pin_path_test, pin_root_is_made_by_root_and_private) {
  const std::string root = base_ + "/pin-root";
  EXPECT_FALSE(bpfkit::open_owned_pin_root(root, false)) << "made when asked not to";
  bpfkit::dir_fd fd = bpfkit::open_owned_pin_root(root, true);
  ASSERT_TRUE(fd);
  struct stat st {};
  ASSERT_EQ(::lstat(root.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(pin_path_test, pin_root_planted_as_symlink_is_refused) {
  // A user's symlink from the pin root to a directory of theirs: the cleanup
  // must not remove what lies there.
  const std::string root = base_ + "/pin-root";
  fs::create_directories(scratch_ + "/1");
  ASSERT_EQ(::symlink(scratch_.c_str(), root.c_str()), 0);
  EXPECT_EQ(problem_of([&] { bpfkit::open_owned_pin_root(root, true); }), pin_path_problem::symlink);
  EXPECT_EQ(problem_of([&] { bpfkit::open_owned_pin_root(root, false); }), pin_path_problem::symlink);
  EXPECT_TRUE(exists(scratch_ + "/1"));
}

TEST_F(pin_path_test, pin_root_created_by_another_user_is_refused) {
  const std::string root = base_ + "/pin-root";
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  ASSERT_EQ(::chown(root.c_str(), 65534, 65534), 0);
  EXPECT_EQ(problem_of([&] { bpfkit::open_owned_pin_root(root, true); }), pin_path_problem::unsafe_owner);
  EXPECT_NE(message_.find("belongs to uid 65534"), std::string::npos) << message_;
  ASSERT_EQ(::chown(root.c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(root.c_str(), 01777), 0);
  EXPECT_EQ(problem_of([&] { bpfkit::open_owned_pin_root(root, true); }), pin_path_problem::unsafe_owner);
  EXPECT_NE(message_.find("writable by other users"), std::string::npos) << message_;
}

TEST_F(pin_path_test, remove_tree_never_follows_a_symlink) {
  fs::create_directories(scratch_ + "/precious");
  std::ofstream(scratch_ + "/precious/file") << "keep";
  ASSERT_EQ(::mkdir((base_ + "/tree").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((base_ + "/tree/sub").c_str(), 0700), 0);
  ASSERT_EQ(bpf_obj_pin(map_, (base_ + "/tree/sub/pin").c_str()), 0);
  ASSERT_EQ(::symlink((scratch_ + "/precious").c_str(), (base_ + "/tree/link").c_str()), 0);
  bpfkit::dir_fd dir = bpfkit::open_pin_dir(base_, bpfkit::pin_dir_use::read);
  EXPECT_TRUE(bpfkit::remove_tree_at(dir.get(), "tree"));
  EXPECT_FALSE(exists(base_ + "/tree"));
  EXPECT_TRUE(exists(scratch_ + "/precious/file"));
}

}  // namespace
