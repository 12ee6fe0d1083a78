// The runtime operations the CLI reaches the kernel through (issue 10: one
// gateway): events of any ring buffer or perf event array
// (bpfkit::event_reader), a type by name in a BTF, the source lines of a
// translated program, a kernel BTF by id, the BTF of the programs using a
// map, helper names, a BTF file's type count, TCX links, libbpf's messages
// and version. Each with its error paths.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpfkit/event_reader.hpp>
#include <bpfkit/kernel_objects.hpp>
#include <bpfkit/libbpf_messages.hpp>
#include <bpfkit/libbpf_version.hpp>
#include <bpfkit/map_view.hpp>
#include <bpfkit/testing/netns.hpp>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bpf_test.hpp"
#include "runtime_types.h"

namespace runtime_test {
namespace {

namespace kernel = bpfkit::kernel;

std::string error_of(const std::function<void()>& call, int* code = nullptr) {
  try {
    call();
  } catch (const bpfkit::error& e) {
    if (code) *code = e.code().value();
    return e.what();
  }
  return "no error";
}

class gateway_test : public bpf_test {
 protected:
  void SetUp() override {
    bpf_test::SetUp();
    if (IsSkipped()) return;
    object = load(RUNTIME_MAPS_OBJECT);
  }

  void run(const char* program, int times = 1) {
    std::vector<std::uint8_t> packet(48, 0x5a);
    for (int i = 0; i < times; ++i) object.program_by_name(program).test_run({.data_in = packet});
  }

  // The map as `bpfkit map` sees it: by id, typed by the kernel's BTF.
  bpfkit::map_view by_id(const char* name) {
    return bpfkit::map_view::by_id(kernel::describe_map(object.map_by_name(name).fd()).id);
  }

  bpfkit::object object;
};

TEST_F(gateway_test, EventReaderDeliversRingRecordsAndStopsWhenTold) {
  bpfkit::map_view events = by_id("events");
  std::vector<std::size_t> sizes;
  std::vector<int> cpus;
  std::size_t wanted = 2;
  bpfkit::event_reader reader(events, [&](int cpu, std::span<const std::uint8_t> data) {
    sizes.push_back(data.size());
    cpus.push_back(cpu);
    event e;
    std::memcpy(&e, data.data(), sizeof e);
    EXPECT_EQ(e.magic, EVENT_MAGIC);
    return sizes.size() < wanted;
  });
  reader.poll(0);
  EXPECT_TRUE(sizes.empty());
  run("emit_event", 3);
  reader.poll(1000);  // stops after the second: the third stays in the ring
  EXPECT_EQ(sizes, (std::vector<std::size_t>{sizeof(event), sizeof(event)}));
  EXPECT_EQ(cpus, (std::vector<int>{-1, -1}));
  wanted = 10;
  reader.poll(1000);
  EXPECT_EQ(sizes.size(), 3u);
}

TEST_F(gateway_test, EventReaderDeliversPerfSamplesWithTheirCpu) {
  bpfkit::map_view samples = by_id("samples");
  std::vector<int> cpus;
  bpfkit::event_reader reader(
      samples,
      [&](int cpu, std::span<const std::uint8_t> data) {
        EXPECT_GE(data.size(), sizeof(event));  // padded to 8 bytes
        cpus.push_back(cpu);
        return true;
      },
      [](int, std::uint64_t) { ADD_FAILURE() << "nothing should be lost"; });
  run("emit_sample");
  for (int i = 0; i < 20 && cpus.empty(); ++i) reader.poll(100);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_GE(cpus[0], 0);
}

TEST_F(gateway_test, EventReaderPassesOnCallbackExceptionsAndKeepsTheRest) {
  bpfkit::event_reader reader(by_id("events"), [](int, std::span<const std::uint8_t>) -> bool {
    throw std::runtime_error("from the callback");
  });
  run("emit_event", 2);
  EXPECT_THROW(reader.poll(1000), std::runtime_error);
  int calls = 0;
  bpfkit::event_reader again(by_id("events"), [&](int, std::span<const std::uint8_t>) {
    ++calls;
    return true;
  });
  again.poll(1000);
  EXPECT_EQ(calls, 1);  // the record after the one that threw stayed
}

TEST_F(gateway_test, EventReaderRefusesOtherMapsAndBadPages) {
  auto ignore = [](int, std::span<const std::uint8_t>) { return true; };
  int code = 0;
  std::string what = error_of([&] { bpfkit::event_reader(by_id("hash"), ignore); }, &code);
  EXPECT_EQ(code, EINVAL);
  EXPECT_NE(what.find("map 'hash': it is a hash map, not a ringbuf or perf_event_array"), std::string::npos)
      << what;
  what = error_of([&] { bpfkit::event_reader(by_id("samples"), ignore, {}, 3); }, &code);
  EXPECT_EQ(code, EINVAL);
  EXPECT_NE(what.find("pages must be a power of two, not 3"), std::string::npos) << what;

  bpfkit::event_reader reader(by_id("events"), ignore);
  bpfkit::event_reader moved = std::move(reader);
  moved.poll(0);
  EXPECT_NE(error_of([&] { reader.poll(0); }, &code).find("moved from"), std::string::npos);
}

TEST_F(gateway_test, FindsTypesByNameInABtf) {
  bpfkit::map_codec codec = bpfkit::map_view::codec_of(object.map_by_name("array"));
  ASSERT_NE(codec.types(), nullptr);
  for (const char* name : {"triple", "struct triple"}) {
    std::optional<bpfkit::named_type> found = bpfkit::find_named_type(codec.types(), name);
    ASSERT_TRUE(found) << name;
    EXPECT_EQ(found->id, codec.value_type());
    EXPECT_EQ(found->size, sizeof(triple));
  }
  // A key type of another map, by its struct name.
  std::optional<bpfkit::named_type> prefix = bpfkit::find_named_type(codec.types(), "ipv4_prefix");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->size, sizeof(ipv4_prefix));
  EXPECT_FALSE(bpfkit::find_named_type(codec.types(), "no_such_type"));
  EXPECT_FALSE(bpfkit::find_named_type(nullptr, "triple"));

  std::vector<std::string> structs = bpfkit::struct_names(codec.types(), 100);
  EXPECT_NE(std::find(structs.begin(), structs.end(), "triple"), structs.end());
  EXPECT_EQ(bpfkit::struct_names(codec.types(), 1).size(), 1u);
  EXPECT_TRUE(bpfkit::struct_names(nullptr, 10).empty());
}

TEST_F(gateway_test, ReadsTheSourceLinesOfATranslatedProgram) {
  kernel::translated_program loaded = kernel::read_translated(object.program_by_name("emit_event").fd());
  kernel::program_source source = kernel::read_source(loaded);
  ASSERT_FALSE(source.lines.empty());
  EXPECT_EQ(source.lines.front().insn, 0u);
  EXPECT_NE(source.lines.front().file.find("maps.bpf.c"), std::string::npos) << source.lines.front().file;
  bool reserve_line = std::any_of(source.lines.begin(), source.lines.end(), [](const auto& l) {
    return l.text.find("bpf_ringbuf_reserve") != std::string::npos && l.line > 0;
  });
  EXPECT_TRUE(reserve_line);
  ASSERT_FALSE(source.functions.empty());
  EXPECT_EQ(source.functions.front().insn, 0u);
  EXPECT_EQ(source.functions.front().name, "emit_event");

  // No BTF: nothing to read. A BTF id that is gone: ENOENT.
  kernel::translated_program bare = loaded;
  bare.info.btf_id = 0;
  EXPECT_TRUE(kernel::read_source(bare).lines.empty());
  bare.info.btf_id = 0x7fffffff;
  int code = 0;
  error_of([&] { kernel::read_source(bare); }, &code);
  EXPECT_EQ(code, ENOENT);
}

TEST_F(gateway_test, LoadsKernelBtfById) {
  kernel::program_info info = kernel::describe_program(object.program_by_name("emit_event").fd());
  ASSERT_NE(info.btf_id, 0u);
  std::shared_ptr<const ::btf> types = kernel::load_btf(info.btf_id);
  ASSERT_NE(types, nullptr);
  EXPECT_TRUE(bpfkit::find_named_type(types.get(), "triple"));  // the object's BTF
  int code = 0;
  EXPECT_NE(error_of([] { kernel::load_btf(0); }, &code).find("BTF id 0"), std::string::npos);
  EXPECT_EQ(code, ENOENT);
  EXPECT_NE(error_of([] { kernel::load_btf(0x7fffffff); }, &code).find("BTF id 2147483647"), std::string::npos);
  EXPECT_EQ(code, ENOENT);
}

TEST_F(gateway_test, FindsTheBtfOfTheProgramsUsingAMap) {
  // libbpf creates ring buffers without BTF of their own.
  bpfkit::map_view events = by_id("events");
  EXPECT_EQ(events.codec().types(), nullptr);
  std::shared_ptr<const ::btf> types = kernel::btf_of_program_using(events.id());
  ASSERT_NE(types, nullptr);
  EXPECT_TRUE(bpfkit::find_named_type(types.get(), "struct triple"));
  // The LRU map is used by no program of the object.
  EXPECT_EQ(kernel::btf_of_program_using(by_id("lru").id()), nullptr);
  EXPECT_EQ(kernel::btf_of_program_using(0x7fffffff), nullptr);
}

TEST(gateway, NamesHelpersFromKernelBtf) {
  if (!exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "no kernel BTF";
  std::map<std::int32_t, std::string> names = kernel::helper_names();
  EXPECT_EQ(names[1], "bpf_map_lookup_elem");
  EXPECT_EQ(names[131], "bpf_ringbuf_reserve");
}

TEST(gateway, ParsesTheKernelsBtfOncePerProcess) {
  if (!exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "no kernel BTF";
  std::shared_ptr<const ::btf> first = kernel::vmlinux_btf();
  ASSERT_TRUE(first);
  EXPECT_EQ(kernel::vmlinux_btf().get(), first.get());  // the same parse, shared
  EXPECT_GT(btf__find_by_name_kind(first.get(), "task_struct", BTF_KIND_STRUCT), 0);
  // helper_names() reads the same one rather than parsing its own.
  EXPECT_FALSE(kernel::helper_names().empty());
  EXPECT_EQ(kernel::vmlinux_btf().get(), first.get());
}

TEST(gateway, CountsTheTypesOfABtfFile) {
  if (!exists("/sys/kernel/btf/vmlinux")) GTEST_SKIP() << "no kernel BTF";
  EXPECT_GT(kernel::count_btf_types("/sys/kernel/btf/vmlinux"), 1000u);
  int code = 0;
  std::string what = error_of([] { kernel::count_btf_types("/nonexistent/vmlinux"); }, &code);
  EXPECT_EQ(what.find("/nonexistent/vmlinux: not valid BTF: "), 0u) << what;
  EXPECT_EQ(code, ENOENT);

  char path[] = "/tmp/bpfkit-gateway-notbtf.XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "not BTF at all\n", 15), 15);
  ::close(fd);
  what = error_of([&] { kernel::count_btf_types(path); }, &code);
  ::unlink(path);
  EXPECT_EQ(what.find(std::string(path) + ": not valid BTF: "), 0u) << what;
  EXPECT_NE(code, 0);
}

TEST(gateway, ReportsLibbpfVersions) {
  bpfkit::libbpf_versions v = bpfkit::libbpf_version();
  EXPECT_GE(v.major, 1u);
  EXPECT_GE(v.built_major, 1u);
}

// What libbpf prints goes to the callback installed now (libbpf_set_print
// returns it), as libbpf's own messages do.
int print_through_libbpf(libbpf_print_level level, const char* format, ...) {
  libbpf_print_fn_t installed = libbpf_set_print(nullptr);
  libbpf_set_print(installed);
  if (!installed) return -1;
  va_list args;
  va_start(args, format);
  int n = installed(level, format, args);
  va_end(args);
  return n;
}

TEST(gateway, KeepsLibbpfMessagesButNotDebugOnes) {
  bpfkit::keep_libbpf_messages(false);
  const std::string before = bpfkit::kept_libbpf_messages();
  print_through_libbpf(LIBBPF_WARN, "libbpf: map '%s': planted warning\n", "m");
  print_through_libbpf(LIBBPF_DEBUG, "libbpf: planted debug message\n");
  print_through_libbpf(LIBBPF_INFO, "libbpf: planted notice %d\n", 2);
  EXPECT_EQ(bpfkit::kept_libbpf_messages(),
            before + "libbpf: map 'm': planted warning\nlibbpf: planted notice 2\n");
}

TEST(gateway, EchoesEveryLibbpfMessageWhenAsked) {
  bpfkit::keep_libbpf_messages(true);
  const std::string before = bpfkit::kept_libbpf_messages();
  ::testing::internal::CaptureStderr();
  print_through_libbpf(LIBBPF_DEBUG, "libbpf: planted debug message\n");
  std::string echoed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(echoed, "libbpf: planted debug message\n");
  EXPECT_EQ(bpfkit::kept_libbpf_messages(), before);  // debug messages are shown, not kept
}

}  // namespace
}  // namespace runtime_test
