// bpfkit::file_io: inputs that are regular files of bounded size, read
// without blocking; outputs that appear whole or not at all, never through a
// planted symlink, and leave nothing behind on failure or on signals.
#include "bpfkit/file_io.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace fs = std::filesystem;
using namespace bpfkit::file_io;

namespace {

class FileIo : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bpfkit-file-io-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string &name) const { return (dir_ / name).string(); }
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto &e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }
  static std::string content(const std::string &file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write(const std::string &file, const std::string &text) {
    std::ofstream(file, std::ios::binary) << text;
  }

  fs::path dir_;
};

// Runs `f` and returns its file_error's message.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const file_error &e) {
    return e.what();
  }
  return "no error";
}

TEST_F(FileIo, ReadsRegularFiles) {
  write(path("in"), "bytes\n");
  EXPECT_EQ(read_input(path("in")), "bytes\n");
  EXPECT_EQ(open_input(path("in")).size(), 6u);
}

TEST_F(FileIo, RefusesWhatIsNotARegularFile) {
  EXPECT_EQ(error_of([&] { read_input(path("missing")); }), "cannot open: No such file or directory");
  fs::create_directory(path("dir"));
  EXPECT_EQ(error_of([&] { read_input(path("dir")); }), "is a directory, not a regular file");
  // Nobody writes to this FIFO: a plain open would block forever.
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { read_input(path("fifo")); }), "is a FIFO, not a regular file");
  EXPECT_EQ(error_of([&] { read_input("/dev/null"); }), "is a character device, not a regular file");
}

TEST_F(FileIo, RefusesFilesAboveTheLimit) {
  write(path("big"), "");
  ASSERT_EQ(truncate(path("big").c_str(), 300L << 20), 0);  // sparse: no disk used
  EXPECT_EQ(error_of([&] { read_input(path("big")); }),
            "is 314572800 bytes (300 MiB), more than the limit of 268435456 bytes (256 MiB)");
  EXPECT_EQ(error_of([&] { read_input(path("big"), 400L << 20); }), "no error");
}

TEST_F(FileIo, MapsInputs) {
  write(path("in"), "mapped");
  const auto file = open_input(path("in"));
  const auto mapping = file.map_all();
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(mapping.bytes().data()), mapping.bytes().size()),
            "mapped");
}

TEST_F(FileIo, CommitReplacesTheDestinationAtOnce) {
  write(path("out"), "old");
  {
    atomic_file out(path("out"));
    out.write("new content");
    EXPECT_EQ(content(path("out")), "old") << "nothing is visible before commit";
    out.commit();
  }
  EXPECT_EQ(content(path("out")), "new content");
  EXPECT_EQ(entries(), (std::set<std::string>{"out"}));
}

TEST_F(FileIo, UncommittedOutputLeavesNothing) {
  write(path("out"), "old");
  for (auto kind : {atomic_file::temporary::unnamed_where_possible, atomic_file::temporary::named}) {
    atomic_file out(path("out"), 0666, kind);
    out.write("half");
  }
  EXPECT_EQ(content(path("out")), "old");
  EXPECT_EQ(entries(), (std::set<std::string>{"out"}));
}

TEST_F(FileIo, NamedTemporaryIsUnpredictableAndRemovedOnCommit) {
  atomic_file out(path("out"), 0666, atomic_file::temporary::named);
  const auto names = entries();
  ASSERT_EQ(names.size(), 1u);
  const std::string temp = *names.begin();
  EXPECT_EQ(temp.rfind("out.tmp.", 0), 0u) << temp;
  EXPECT_EQ(temp.size(), std::string("out.tmp.").size() + 16);
  EXPECT_EQ(out.path_for_open(), path(temp));
  out.write("x");
  out.commit();
  EXPECT_EQ(entries(), (std::set<std::string>{"out"}));
}

TEST_F(FileIo, NeverWritesThroughASymlink) {
  write(path("victim"), "precious");
  fs::create_symlink(path("victim"), path("out"));
  atomic_file out(path("out"));
  out.write("written");
  out.commit();
  EXPECT_EQ(content(path("victim")), "precious");
  EXPECT_FALSE(fs::is_symlink(path("out")));
  EXPECT_EQ(content(path("out")), "written");
}

TEST_F(FileIo, ModeFollowsTheUmask) {
  const mode_t old = umask(027);
  {
    atomic_file out(path("out"));
    out.commit();
  }
  umask(old);
  struct stat st {};
  ASSERT_EQ(stat(path("out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(FileIo, OthersCanWriteThroughPathForOpen) {
  atomic_file out(path("out"));
  std::FILE *f = std::fopen(out.path_for_open().c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("by name", f);
  std::fclose(f);
  out.commit();
  EXPECT_EQ(content(path("out")), "by name");
}

TEST_F(FileIo, MissingDirectoryIsAnError) {
  EXPECT_EQ(error_of([&] { atomic_file out(path("nodir/out")); }),
            "cannot create output: No such file or directory");
}

// A process killed while writing leaves no temporary behind.
class Signals : public FileIo, public testing::WithParamInterface<int> {};

TEST_P(Signals, RemoveNamedTemporaries) {
  const int signal_number = GetParam();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    remove_temporaries_on_signals();
    atomic_file out(path("out"), 0666, atomic_file::temporary::named);
    out.write("half");
    raise(signal_number);
    _exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the signal still kills the process";
  EXPECT_EQ(WTERMSIG(status), signal_number);
  EXPECT_TRUE(entries().empty()) << *entries().begin();
}

INSTANTIATE_TEST_SUITE_P(FileIo, Signals, testing::Values(SIGINT, SIGTERM, SIGHUP));

TEST(MemoryFile, ReadsWhatWasWrittenByName) {
  memory_file file;
  const std::string text = "in memory";
  file.assign(std::as_bytes(std::span(text)));
  std::ifstream in(file.path(), std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
  std::ofstream(file.path(), std::ios::binary | std::ios::trunc) << "replaced";
  EXPECT_EQ(file.read(), "replaced");
}

}  // namespace
