// bpfkit-cc reads each BPF compile's command line to decide whether the
// vmlinux.h PCH is equivalent to it: the include search must be clang's, and
// every flag must reach the PCH build except output, source and depfile.
#include "compile_command.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "bpfkit/content_hash.hpp"
#include "include_search.hpp"
#include "pch_cache.hpp"

namespace fs = std::filesystem;
using bpfkit::tools::compile_command;
using bpfkit::tools::include_directive;
using bpfkit::tools::parse_compile_command;
using bpfkit::tools::resolve_include;

namespace {

using args = std::vector<std::string>;

// CMake's BPF rule, as Ninja runs it.
args cmake_rule(args user) {
  args command{"/usr/bin/clang", "-target", "bpfel", "-g", "-D__TARGET_ARCH_x86", "-idirafter",
               "/usr/include/x86_64-linux-gnu"};
  command.insert(command.end(), user.begin(), user.end());
  for (const char *arg : {"-MD", "-MT", "obj/p.bpf.c.o", "-MF", "obj/p.bpf.c.o.d", "-o", "obj/p.bpf.c.o", "-c",
                          "/src/p.bpf.c"})
    command.emplace_back(arg);
  return command;
}

}  // namespace

TEST(CompileCommand, SourceAndPchArguments) {
  compile_command cmd = parse_compile_command(cmake_rule({"-DBPF_NO_PRESERVE_ACCESS_INDEX", "-mcpu=v3", "-O2"}));
  EXPECT_EQ(cmd.compiler, "/usr/bin/clang");
  EXPECT_EQ(cmd.source, "/src/p.bpf.c");
  EXPECT_EQ(cmd.pch_args, (args{"-target", "bpfel", "-g", "-D__TARGET_ARCH_x86", "-idirafter",
                                "/usr/include/x86_64-linux-gnu", "-DBPF_NO_PRESERVE_ACCESS_INDEX", "-mcpu=v3",
                                "-O2"}));
  EXPECT_EQ(cmd.unsupported, "");
}

TEST(CompileCommand, JoinedDependencyAndOutputOptionsAreDropped) {
  compile_command cmd =
      parse_compile_command({"clang", "-MMD", "-MFdeps.d", "-MTx", "-MP", "-ofoo.o", "-Dx=1", "-c", "a.c"});
  EXPECT_EQ(cmd.pch_args, (args{"-Dx=1"}));
  EXPECT_EQ(cmd.source, "a.c");
}

TEST(CompileCommand, SearchDirectoriesByGroup) {
  compile_command cmd = parse_compile_command(
      {"clang", "-I/a", "-I", "/b", "-isystem", "/s", "-isystem/t", "-iquote", "/q", "-idirafter", "/after",
       "--include-directory=/c", "-I/s", "-c", "x.c"});
  EXPECT_EQ(cmd.quote_dirs, (args{"/q"}));
  // /s is also a system directory: clang searches it there only.
  EXPECT_EQ(cmd.angled_dirs, (args{"/a", "/b", "/c"}));
  EXPECT_EQ(cmd.system_dirs, (args{"/s", "/t"}));
  EXPECT_FALSE(cmd.relative_search_dir);
  EXPECT_TRUE(parse_compile_command({"clang", "-Iinclude", "-c", "x.c"}).relative_search_dir);
}

TEST(CompileCommand, OptionsThatMakeThePchUnknowable) {
  auto why = [](args extra) {
    args command{"clang"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.insert(command.end(), {"-c", "x.c"});
    return parse_compile_command(command).unsupported;
  };
  EXPECT_NE(why({"-include", "config.h"}).find("forces a header in (-include config.h)"), std::string::npos);
  EXPECT_NE(why({"-imacros", "m.h"}), "");
  EXPECT_NE(why({"-include-pch", "other.pch"}).find("already uses a precompiled header"), std::string::npos);
  EXPECT_NE(why({"-x", "c"}).find("sets the language explicitly"), std::string::npos);
  EXPECT_NE(why({"@flags.rsp"}).find("response file"), std::string::npos);
  EXPECT_NE(why({"-iprefix", "/p"}), "");
  EXPECT_NE(why({"-I=/sysroot/inc"}).find("sysroot"), std::string::npos);
  EXPECT_NE(why({"-Xclang", "-internal-isystem", "-Xclang", "/x"}), "");
  EXPECT_EQ(why({"-Xclang", "-fno-pch-timestamp", "-mllvm", "-bpf-expand-memcpy-in-order"}), "");
  // A value is not mistaken for an option.
  EXPECT_EQ(why({"-D", "-include"}), "");
}

TEST(CompileCommand, SourceLanguage) {
  EXPECT_EQ(bpfkit::tools::source_language("a.bpf.c"), "c");
  EXPECT_EQ(bpfkit::tools::source_language("a.bpf.cpp"), "c++");
  EXPECT_EQ(bpfkit::tools::source_language("a.bpf.cc"), "c++");
  EXPECT_EQ(bpfkit::tools::source_language("a.s"), "");
}

class IncludeSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("bpfkit-include-search-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    for (const char *dir : {"src", "quote", "user", "generated"}) fs::create_directories(root_ / dir);
    for (const char *dir : {"src", "quote", "user", "generated"}) std::ofstream(root_ / dir / "vmlinux.h") << "";
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path resolved(bool angled, const args &flags) {
    args command{"clang"};
    command.insert(command.end(), flags.begin(), flags.end());
    command.insert(command.end(), {"-c", (root_ / "src/p.bpf.c").string()});
    compile_command cmd = parse_compile_command(command);
    auto found = resolve_include(include_directive{"vmlinux.h", angled}, cmd.source, cmd, "/");
    return found ? found->file : fs::path();
  }

  fs::path root_;
};

TEST_F(IncludeSearch, QuotedLooksBesideTheSourceFirst) {
  args flags{"-I" + (root_ / "user").string(), "-isystem", (root_ / "generated").string()};
  EXPECT_EQ(resolved(false, flags), root_ / "src/vmlinux.h");
  EXPECT_EQ(resolved(true, flags), root_ / "user/vmlinux.h");
}

TEST_F(IncludeSearch, ClangsOrderOfGroups) {
  fs::remove(root_ / "src/vmlinux.h");
  // -iquote before -I before -isystem, whatever the order on the command line.
  args flags{"-isystem", (root_ / "generated").string(), "-I" + (root_ / "user").string(), "-iquote",
             (root_ / "quote").string()};
  EXPECT_EQ(resolved(false, flags), root_ / "quote/vmlinux.h");
  EXPECT_EQ(resolved(true, flags), root_ / "user/vmlinux.h");
  EXPECT_EQ(resolved(true, {"-isystem", (root_ / "generated").string()}), root_ / "generated/vmlinux.h");
  EXPECT_EQ(resolved(true, {}), fs::path());
}

// The cache's paths are shared by build trees and bpfkit versions: the hash
// naming them must not change with the build.
TEST(PchCache, HashIsStable) {
  EXPECT_EQ(bpfkit::content_hash_hex(""), "b3468e4af2f5367f");
  EXPECT_EQ(bpfkit::content_hash_hex("a"), "c6461f0cf30fe652");
  EXPECT_EQ(bpfkit::content_hash_hex("0123456789abcdef!"), "1db82460937a2241");
  // The length counts: "ab" + "c" is not "a" + "bc".
  EXPECT_NE(bpfkit::content_hash().add("ab").add("c").hex(), bpfkit::content_hash().add("a").add("bc").hex());
}

// obtain_pch() with a stand-in compiler (a shell script) that records its
// calls: one build per key, failures remembered and explained, a new
// vmlinux.h content a new path.
class PchCacheBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("bpfkit-pch-cache-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "gen");
    std::ofstream(root_ / "gen/vmlinux.h") << "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n#endif\n";
    write_compiler(root_ / "cc-ok", "for a; do out=$a; done; echo built > \"$out\"; exit 0");
    write_compiler(root_ / "cc-slow", "sleep 1; for a; do out=$a; done; echo built > \"$out\"; exit 0");
    // Fails like clang on flags it rejects (exit 1, a diagnostic).
    write_compiler(root_ / "cc-bad", "echo \"error: unsupported option '-mbogus'\" >&2; exit 1");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write_compiler(const fs::path &path, const std::string &body) {
    std::ofstream(path) << "#!/bin/sh\necho call >> \"" << (root_ / "calls").string() << "\"\n" << body << "\n";
    fs::permissions(path, fs::perms::owner_all);
  }
  int calls() {
    std::ifstream in(root_ / "calls");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }
  bpfkit::tools::pch_result obtain(const std::string &compiler, std::vector<std::string> args, bool wait = true,
                                   const std::string &vmlinux = "gen/vmlinux.h") {
    bpfkit::tools::pch_request request;
    request.wait_for_builder = wait;
    request.compiler = (root_ / compiler).string();
    request.args = std::move(args);
    request.language = "c";
    request.vmlinux = root_ / vmlinux;
    request.cache_dir = root_ / "pch";
    request.cwd = root_;
    return bpfkit::tools::obtain_pch(request);
  }

  fs::path root_;
};

TEST_F(PchCacheBuild, OneBuildPerDistinctFlags) {
  auto first = obtain("cc-ok", {"-isystem", (root_ / "gen").string(), "-O2"});
  ASSERT_EQ(first.refusal, "");
  EXPECT_TRUE(fs::exists(first.pch));
  EXPECT_EQ(obtain("cc-ok", {"-isystem", (root_ / "gen").string(), "-O2"}).pch, first.pch);
  EXPECT_EQ(calls(), 1);
  auto other = obtain("cc-ok", {"-isystem", (root_ / "gen").string(), "-O2", "-DBPF_NO_PRESERVE_ACCESS_INDEX"});
  EXPECT_NE(other.pch, first.pch);
  EXPECT_EQ(calls(), 2);
  // No temporaries or logs left next to the PCH.
  for (const auto &entry : fs::directory_iterator(first.pch.parent_path()))
    EXPECT_TRUE(entry.path().filename() == "vmlinux.h.pch" || entry.path().filename() == "pch.h" ||
                entry.path().filename() == "lock")
        << entry.path();
}

TEST_F(PchCacheBuild, ParallelCompilesBuildItOnce) {
  // Like `ninja -j`: compiles with the same flags at the same time.
  std::vector<bpfkit::tools::pch_result> results(4);
  std::vector<std::thread> compiles;
  for (auto &result : results) compiles.emplace_back([&] { result = obtain("cc-slow", {"-O2"}); });
  for (auto &compile : compiles) compile.join();
  for (const auto &result : results) {
    EXPECT_EQ(result.refusal, "");
    EXPECT_EQ(result.pch, results[0].pch);
  }
  EXPECT_EQ(calls(), 1);
}

TEST_F(PchCacheBuild, WithoutACompilerCacheParallelCompilesDoNotWait) {
  // One compile builds the PCH; the others compile the header as text
  // rather than idle until it is done.
  std::vector<bpfkit::tools::pch_result> results(4);
  std::vector<std::thread> compiles;
  for (auto &result : results) compiles.emplace_back([&] { result = obtain("cc-slow", {"-O2"}, false); });
  for (auto &compile : compiles) compile.join();
  EXPECT_EQ(calls(), 1);
  int built = 0, as_text = 0;
  fs::path pch;
  for (const auto &result : results) {
    if (result.refusal.empty()) {
      ++built;
      pch = result.pch;
      EXPECT_TRUE(fs::exists(result.pch));
    } else {
      ++as_text;
      EXPECT_EQ(result.refusal,
                "another compile is building the PCH for these flags; compiling vmlinux.h as text "
                "rather than waiting for it");
      EXPECT_EQ(result.pch, fs::path());
    }
  }
  EXPECT_GE(built, 1);
  EXPECT_GE(as_text, 1);  // the stand-in compiler takes a second
  // Once it is built, nobody compiles the header as text any more.
  EXPECT_EQ(obtain("cc-slow", {"-O2"}, false).pch, pch);
  EXPECT_EQ(calls(), 1);
}

TEST_F(PchCacheBuild, AFinishedPchIsUsedWhileAnotherCompileHoldsTheLock) {
  const auto first = obtain("cc-ok", {"-O2"});
  ASSERT_EQ(first.refusal, "");
  const int lock = ::open((first.pch.parent_path() / "lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);
  for (bool wait : {true, false}) {
    auto pending = std::async(std::launch::async, [&] { return obtain("cc-ok", {"-O2"}, wait); });
    ASSERT_EQ(pending.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "waited for the lock";
    EXPECT_EQ(pending.get().pch, first.pch);
  }
  ::close(lock);
  EXPECT_EQ(calls(), 1);
}

TEST_F(PchCacheBuild, BehindACompilerCacheACompileWaitsForTheBuilder) {
  const auto first = obtain("cc-ok", {"-O2"});
  ASSERT_EQ(first.refusal, "");
  fs::remove(first.pch);
  // Another compile holds the lock, as while it builds the PCH.
  const int lock = ::open((first.pch.parent_path() / "lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);
  EXPECT_NE(obtain("cc-ok", {"-O2"}, false).refusal.find("another compile is building"), std::string::npos);
  auto waiting = std::async(std::launch::async, [&] { return obtain("cc-ok", {"-O2"}, true); });
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ::close(lock);
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(waiting.get().pch, first.pch);
  EXPECT_TRUE(fs::exists(first.pch));
  EXPECT_EQ(calls(), 2);
}

TEST_F(PchCacheBuild, ChangedVmlinuxMeansANewPath) {
  auto before = obtain("cc-ok", {"-O2"});
  std::ofstream(root_ / "gen/vmlinux.h", std::ios::app) << "/* another kernel */\n";
  auto after = obtain("cc-ok", {"-O2"});
  ASSERT_EQ(after.refusal, "");
  EXPECT_NE(after.pch, before.pch);
  // The previous generation is gone.
  EXPECT_FALSE(fs::exists(before.pch));
}

TEST_F(PchCacheBuild, EachVmlinuxKeepsItsOwnPchs) {
  // A build's C vmlinux.h and its C++ view share the cache: compiles of
  // either, in any order, use what is there and remove nothing the other uses.
  fs::create_directories(root_ / "gen/cxx");
  std::ofstream(root_ / "gen/cxx/vmlinux.h") << "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n/* C++ */\n#endif\n";
  const auto c = obtain("cc-ok", {"-O2"});
  const auto cxx = obtain("cc-ok", {"-O2"}, true, "gen/cxx/vmlinux.h");
  ASSERT_EQ(c.refusal, "");
  ASSERT_EQ(cxx.refusal, "");
  EXPECT_NE(c.pch, cxx.pch);
  EXPECT_TRUE(fs::exists(c.pch));
  EXPECT_TRUE(fs::exists(cxx.pch));
  EXPECT_EQ(obtain("cc-ok", {"-O2"}).pch, c.pch);
  EXPECT_EQ(obtain("cc-ok", {"-O2"}, true, "gen/cxx/vmlinux.h").pch, cxx.pch);
  EXPECT_EQ(calls(), 2);
  // A new content of one still replaces only its own.
  std::ofstream(root_ / "gen/cxx/vmlinux.h", std::ios::app) << "/* another kernel */\n";
  EXPECT_NE(obtain("cc-ok", {"-O2"}, true, "gen/cxx/vmlinux.h").pch, cxx.pch);
  EXPECT_FALSE(fs::exists(cxx.pch));
  EXPECT_TRUE(fs::exists(c.pch));
}

TEST_F(PchCacheBuild, FailureIsRememberedAndExplained) {
  auto failed = obtain("cc-bad", {"-mbogus"});
  EXPECT_EQ(failed.pch, fs::path());
  EXPECT_NE(failed.refusal.find("cannot be built with this compile's flags (error: unsupported option '-mbogus')"),
            std::string::npos)
      << failed.refusal;
  EXPECT_NE(failed.refusal.find("failed.txt"), std::string::npos);
  auto again = obtain("cc-bad", {"-mbogus"});
  EXPECT_EQ(again.refusal, failed.refusal);
  EXPECT_EQ(calls(), 1);
}

TEST_F(PchCacheBuild, MissingVmlinux) {
  fs::remove(root_ / "gen/vmlinux.h");
  EXPECT_NE(obtain("cc-ok", {}).refusal.find("has not been generated"), std::string::npos);
  EXPECT_EQ(calls(), 0);
}
