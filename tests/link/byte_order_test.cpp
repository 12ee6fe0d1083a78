// swap_byte_order (tools/link/byte_order.hpp) against clang itself: the
// same source compiled with -target bpfeb and converted must be the same
// bytes as compiled with -target bpfel, except DWARF, which the conversion
// leaves alone because the link drops it.
//
//   bpfkit_link_byte_order_test <dir>   with <name>.bpfel.o/<name>.bpfeb.o pairs
#include <gelf.h>
#include <gtest/gtest.h>
#include <libelf.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "byte_order.hpp"

namespace {

std::filesystem::path objects_dir;

std::string read(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The byte ranges of the DWARF sections of `object`.
std::vector<std::pair<std::size_t, std::size_t>> dwarf_ranges(std::string &object) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  elf_version(EV_CURRENT);
  Elf *elf = elf_memory(object.data(), object.size());
  EXPECT_NE(elf, nullptr);
  std::size_t names = 0;
  elf_getshdrstrndx(elf, &names);
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    gelf_getshdr(scn, &shdr);
    const std::string name = elf_strptr(elf, names, shdr.sh_name);
    if (name.starts_with(".debug_")) ranges.emplace_back(shdr.sh_offset, shdr.sh_offset + shdr.sh_size);
  }
  elf_end(elf);
  return ranges;
}

class byte_order : public testing::TestWithParam<std::string> {};

TEST_P(byte_order, big_endian_converts_to_what_clang_emits_for_little_endian) {
  ASSERT_FALSE(objects_dir.empty()) << "usage: bpfkit_link_byte_order_test OBJECTS_DIR";
  std::string little = read(objects_dir / (GetParam() + ".bpfel.o"));
  std::string big = read(objects_dir / (GetParam() + ".bpfeb.o"));
  ASSERT_FALSE(little.empty());
  ASSERT_EQ(little.size(), big.size());
  const std::string original = big;
  bpfkit::link::swap_byte_order(big);
  const auto dwarf = dwarf_ranges(little);
  ASSERT_FALSE(dwarf.empty()) << "fixtures are compiled with -g";
  std::size_t compared = 0;
  for (std::size_t i = 0; i < little.size(); ++i) {
    bool in_dwarf = false;
    for (auto [from, to] : dwarf) in_dwarf = in_dwarf || (i >= from && i < to);
    if (in_dwarf) continue;
    ++compared;
    ASSERT_EQ(static_cast<unsigned char>(little[i]), static_cast<unsigned char>(big[i]))
        << "first difference at byte " << i;
  }
  EXPECT_GT(compared, little.size() / 4);
  // And back: the conversion is its own inverse.
  bpfkit::link::swap_byte_order(big);
  EXPECT_EQ(big, original);
}

INSTANTIATE_TEST_SUITE_P(fixtures, byte_order,
                         testing::Values("single", "shared_defs", "extern_user", "kconfig_ksym",
                                         "mangled", "core_relocations"));

}  // namespace

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc == 2) objects_dir = argv[1];  // none when only listing the tests
  return RUN_ALL_TESTS();
}
