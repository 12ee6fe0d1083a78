// Programs: test runs, verifier statistics, lookups by name, and opening
// objects from files and from memory.
#include <fstream>
#include <iterator>
#include <vector>

#include "bpf_test.hpp"

namespace runtime_test {
namespace {

class program_test : public bpf_test {
 protected:
  void SetUp() override {
    bpf_test::SetUp();
    if (IsSkipped()) return;
    object = load(RUNTIME_MAPS_OBJECT);
  }

  bpfkit::object object;
};

TEST_F(program_test, TestRunReturnsRetvalAndDataOut) {
  std::vector<std::uint8_t> packet(64);
  for (std::size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i);
  bpfkit::test_run_result result =
      object.program_by_name("rewrite_packet").test_run({.data_in = packet});
  EXPECT_EQ(result.retval, 3u);  // XDP_TX
  ASSERT_EQ(result.data_out.size(), packet.size());
  EXPECT_EQ(result.data_out[0], 0xab);
  EXPECT_TRUE(std::equal(packet.begin() + 1, packet.end(), result.data_out.begin() + 1));
}

TEST_F(program_test, TestRunRepeats) {
  std::vector<std::uint8_t> packet(64, 1);
  bpfkit::program rewrite = object.program_by_name("rewrite_packet");
  bpfkit::test_run_result result = rewrite.test_run({.data_in = packet, .repeat = 50});
  EXPECT_EQ(result.retval, 3u);
  bpfkit::hash_map<std::uint32_t, std::uint64_t> bss(object.map_by_name(".bss"));
  EXPECT_EQ(bss.lookup(0), 50u);
}

TEST_F(program_test, TestRunHonoursDataOutSize) {
  std::vector<std::uint8_t> packet(64, 1);
  bpfkit::test_run_result result =
      object.program_by_name("rewrite_packet").test_run({.data_in = packet, .data_out_size = 128});
  EXPECT_EQ(result.data_out.size(), 64u);  // what the program left, not the buffer
}

TEST_F(program_test, EveryProgramHasVerifiedInstructions) {
  for (const bpfkit::program& prog : object.programs())
    EXPECT_GT(prog.verified_insns(), 0u) << prog.name();
}

TEST_F(program_test, UnknownNamesListWhatThereIs) {
  try {
    object.program_by_name("no_such_program");
    FAIL() << "an unknown program must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    std::string what = e.what();
    EXPECT_NE(what.find("object 'runtime_maps' has no program 'no_such_program'"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("rewrite_packet"), std::string::npos) << what;
  }
  try {
    object.map_by_name("no_such_map");
    FAIL() << "an unknown map must throw";
  } catch (const bpfkit::error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("has no map 'no_such_map'; its maps: "), std::string::npos) << what;
    EXPECT_NE(what.find("percpu_hash"), std::string::npos) << what;
  }
}

TEST_F(bpf_test, ProgramsNeedALoadedObject) {
  bpfkit::object opened = bpfkit::object::open_file(RUNTIME_MAPS_OBJECT);
  EXPECT_FALSE(opened.loaded());
  bpfkit::program prog = opened.program_by_name("rewrite_packet");
  EXPECT_EQ(prog.fd(), -1);
  EXPECT_THROW(prog.test_run(), bpfkit::error);
  EXPECT_THROW(prog.verified_insns(), bpfkit::error);
  opened.load();
  EXPECT_TRUE(opened.loaded());
  EXPECT_GE(prog.fd(), 0);
}

TEST_F(bpf_test, ProgramsWithoutAutoloadStayUnloaded) {
  bpfkit::object object = bpfkit::object::open_file(RUNTIME_MAPS_OBJECT);
  bpfkit::program skipped = object.program_by_name("emit_sample");
  EXPECT_TRUE(skipped.autoload());
  skipped.set_autoload(false);
  object.load();
  EXPECT_EQ(skipped.fd(), -1);
  EXPECT_GE(object.program_by_name("emit_event").fd(), 0);
  EXPECT_THROW(skipped.set_autoload(true), bpfkit::error);  // too late
}

TEST_F(bpf_test, ObjectOpensFromMemory) {
  std::ifstream file(RUNTIME_MAPS_OBJECT, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::byte> elf(chars.size());
  std::memcpy(elf.data(), chars.data(), chars.size());

  bpfkit::object object = bpfkit::object::open_memory(elf, "from_memory");
  EXPECT_EQ(object.name(), "from_memory");
  object.load();
  std::vector<std::uint8_t> packet(32, 0);
  EXPECT_EQ(object.program_by_name("rewrite_packet").test_run({.data_in = packet}).retval, 3u);

  // The pointer-and-size overload (the one skeletons call) reads the same bytes.
  bpfkit::object same = bpfkit::object::open_memory(chars.data(), chars.size(), "by_pointer");
  EXPECT_EQ(same.name(), "by_pointer");
  EXPECT_EQ(same.programs().size(), object.programs().size());
}

TEST_F(bpf_test, OpeningAMissingFileNamesIt) {
  try {
    bpfkit::object::open_file("/nonexistent/thing.bpf.o");
    FAIL() << "opening a missing file must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/thing.bpf.o"), std::string::npos)
        << e.what();
  }
}

TEST_F(bpf_test, AnObjectLoadsOnce) {
  bpfkit::object object = load(RUNTIME_MAPS_OBJECT);
  try {
    object.load();
    FAIL() << "a second load must throw";
  } catch (const bpfkit::error& e) {
    EXPECT_NE(std::string(e.what()).find("already loaded"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace runtime_test
