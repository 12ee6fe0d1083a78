// Objects the runtime refuses before libbpf reads them (issue 9 item 7):
// malformed ELF or BTF throws bpfkit::malformed_object naming the file and the
// problem; inputs that are no regular file throw bpfkit::error. Neither needs
// privileges, and neither carries a load report (item 3: only a failed load
// has one).
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/object.hpp"

namespace {

std::vector<std::byte> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return {first, first + text.size()};
}

TEST(MalformedObject, EveryMutationIsRefusedNamingTheFile) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MALFORMED_OBJECTS_DIR)) {
    const std::string path = entry.path().string();
    ++seen;
    try {
      bpfkit::object::open_file(path);
      ADD_FAILURE() << path << " was opened";
    } catch (const bpfkit::malformed_object& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(path + ": malformed ", 0), 0u) << what;
      EXPECT_EQ(e.code().value(), LIBBPF_ERRNO__FORMAT) << what;
      EXPECT_EQ(e.report(), nullptr) << what;
      EXPECT_TRUE(e.verifier_log().empty()) << what;
    }
  }
  EXPECT_GE(seen, 9) << "the malformed objects of tests/security are missing in " << MALFORMED_OBJECTS_DIR;
}

TEST(MalformedObject, FromMemoryNamesTheObject) {
  // The first 1000 bytes of a good object: the section table is cut off.
  std::vector<std::byte> bytes = read_bytes(RUNTIME_MAPS_OBJECT);
  ASSERT_GT(bytes.size(), 1000u);
  bytes.resize(1000);
  try {
    bpfkit::object::open_memory(bytes, "cut_short");
    FAIL() << "a truncated object was opened";
  } catch (const bpfkit::malformed_object& e) {
    EXPECT_EQ(std::string(e.what()).rfind("BPF object 'cut_short' (in memory): malformed ELF: ", 0), 0u)
        << e.what();
  }
  // The same through the pointer-and-size overload, the one skeletons call
  // on their embedded ELF.
  try {
    bpfkit::object::open_memory(bytes.data(), bytes.size(), "cut_short_skel");
    FAIL() << "a truncated object was opened through the pointer overload";
  } catch (const bpfkit::malformed_object& e) {
    EXPECT_EQ(std::string(e.what()).rfind("BPF object 'cut_short_skel' (in memory): malformed ELF: ", 0),
              0u)
        << e.what();
  }
}

TEST(MalformedObject, TheGoodObjectStillOpens) {
  // Read once and opened from the checked bytes: the object's name is still
  // the file's, as libbpf gave it.
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_MAPS_OBJECT);
  EXPECT_EQ(object.name(), "runtime_maps");
  EXPECT_FALSE(object.programs().empty());
  // libbpf names the .bss map after the object (up to 8 characters), as it
  // does for an object it opens from the file itself; `bpfkit load` pins it
  // under that name.
  bool found_bss = false;
  for (const bpfkit::map_handle& map : object.maps()) {
    const std::string name(map.name());
    if (name.ends_with(".bss")) {
      found_bss = true;
      EXPECT_EQ(name, "runtime_.bss");
    }
  }
  EXPECT_TRUE(found_bss);
}

TEST(MalformedObject, OnlyRegularFilesAreRead) {
  const std::string dir = std::filesystem::temp_directory_path() / ("bpfkit-malformed-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto message_of = [](const std::string& path) -> std::string {
    try {
      bpfkit::object::open_file(path);
    } catch (const bpfkit::malformed_object& e) {
      return std::string("malformed_object: ") + e.what();
    } catch (const bpfkit::error& e) {
      EXPECT_EQ(e.report(), nullptr);
      return e.what();
    }
    return "opened";
  };
  // A FIFO is refused without blocking; a directory without "internal error".
  EXPECT_EQ(message_of(fifo), fifo + ": is a FIFO, not a regular file");
  EXPECT_EQ(message_of(dir), dir + ": is a directory, not a regular file");
  EXPECT_EQ(message_of(dir + "/none.bpf.o"), dir + "/none.bpf.o: cannot open: No such file or directory");
  std::filesystem::remove_all(dir);
}

// Item 3: an error that is not a failed load says what it says, as is, and
// has no load report.
TEST(ErrorType, CompleteMessageHasNoReportAndNoSuffix) {
  const bpfkit::error e(ENOENT, "no program with id 7 is loaded", bpfkit::error::complete);
  EXPECT_STREQ(e.what(), "no program with id 7 is loaded");
  EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(e.report(), nullptr);
  const bpfkit::error copy = e;
  EXPECT_EQ(copy.report(), nullptr);
  EXPECT_STREQ(copy.what(), e.what());
}

TEST(ErrorType, KernelObjectErrorsCarryNoReport) {
  try {
    bpfkit::kernel::parse_id_reference("id:twelve");
    FAIL() << "id:twelve was accepted";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.report(), nullptr);
    EXPECT_EQ(std::string(e.what()).find("Invalid argument"), std::string::npos) << e.what();
  }
  try {
    bpfkit::kernel::pinned_objects("/nonexistent/bpfkit-pins");
    FAIL() << "a missing directory was listed";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.report(), nullptr);
    EXPECT_STREQ(e.what(), "/nonexistent/bpfkit-pins: no such file or directory");
  }
}

// Item 12: libbpf's own codes read as words, never "Unknown error 4001".
TEST(ErrorType, LibbpfCodesAreWords) {
  for (int code = __LIBBPF_ERRNO__START; code < __LIBBPF_ERRNO__END; ++code) {
    const bpfkit::error e(code, "open BPF object x.bpf.o");
    const std::string what = e.what();
    EXPECT_EQ(what.find("Unknown error"), std::string::npos) << what;
    EXPECT_EQ(what.rfind("open BPF object x.bpf.o: ", 0), 0u) << what;
  }
  const bpfkit::error negative(-LIBBPF_ERRNO__FORMAT, "open");
  EXPECT_EQ(negative.code().value(), LIBBPF_ERRNO__FORMAT);
}

}  // namespace
