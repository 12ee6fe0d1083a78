// bpfkit::object_check on inputs built byte by byte: every check accepts
// what clang writes and names what is wrong in what it refuses.
#include "bpfkit/object_check.hpp"

#include <elf.h>
#include <gtest/gtest.h>
#include <linux/btf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace bpfkit::object_check;

// --- building BTF -------------------------------------------------------------

class btf_builder {
 public:
  explicit btf_builder(bool big_endian = false) : big_(big_endian) { strings_.push_back('\0'); }

  std::uint32_t str(const std::string &s) {
    const auto at = static_cast<std::uint32_t>(strings_.size());
    strings_.insert(strings_.end(), s.begin(), s.end());
    strings_.push_back('\0');
    return at;
  }
  // Adds struct btf_type and `extra` u32 words; returns the new type's id.
  std::uint32_t type(std::uint32_t name_off, std::uint32_t kind, std::uint32_t vlen,
                     std::uint32_t size_or_type, std::vector<std::uint32_t> extra = {},
                     bool kind_flag = false) {
    words_.push_back(name_off);
    words_.push_back((kind_flag ? 1u << 31 : 0) | (kind << 24) | vlen);
    words_.push_back(size_or_type);
    words_.insert(words_.end(), extra.begin(), extra.end());
    return ++count_;
  }
  std::uint32_t int_type(const std::string &name, std::uint32_t size = 4, std::uint32_t bits = 32,
                         std::uint32_t encoding = BTF_INT_SIGNED) {
    return type(str(name), BTF_KIND_INT, 0, size, {(encoding << 24) | bits});
  }
  std::uint32_t ptr(std::uint32_t to) { return type(0, BTF_KIND_PTR, 0, to); }
  std::uint32_t typedef_(const std::string &name, std::uint32_t to) {
    return type(str(name), BTF_KIND_TYPEDEF, 0, to);
  }
  // A struct with one member per type in `members`, each at the next 8 bytes.
  std::uint32_t struct_(const std::string &name, std::vector<std::uint32_t> members) {
    std::vector<std::uint32_t> extra;
    for (std::size_t i = 0; i < members.size(); ++i) {
      extra.push_back(str("m" + std::to_string(i)));
      extra.push_back(members[i]);
      extra.push_back(static_cast<std::uint32_t>(64 * i));
    }
    return type(name.empty() ? 0 : str(name), BTF_KIND_STRUCT,
                static_cast<std::uint32_t>(members.size()),
                static_cast<std::uint32_t>(8 * members.size()), extra);
  }
  std::uint32_t next_id() const { return count_ + 1; }
  std::uint32_t string_size() const { return static_cast<std::uint32_t>(strings_.size()); }

  std::vector<std::byte> bytes() const {
    std::vector<std::byte> out;
    auto u16 = [&](std::uint16_t v) { put(out, v, 2); };
    auto u32 = [&](std::uint32_t v) { put(out, v, 4); };
    u16(0xeb9f);
    out.push_back(std::byte{1});
    out.push_back(std::byte{0});
    u32(24);
    u32(0);
    u32(static_cast<std::uint32_t>(4 * words_.size()));
    u32(static_cast<std::uint32_t>(4 * words_.size()));
    u32(static_cast<std::uint32_t>(strings_.size()));
    for (std::uint32_t w : words_) u32(w);
    for (char c : strings_) out.push_back(static_cast<std::byte>(c));
    return out;
  }

 private:
  void put(std::vector<std::byte> &out, std::uint64_t v, int n) const {
    for (int i = 0; i < n; ++i) {
      const int shift = big_ ? 8 * (n - 1 - i) : 8 * i;
      out.push_back(static_cast<std::byte>((v >> shift) & 0xff));
    }
  }

  bool big_;
  std::vector<std::uint32_t> words_;
  std::vector<char> strings_;
  std::uint32_t count_ = 0;
};

void set_u32(std::vector<std::byte> &b, std::size_t at, std::uint32_t v) { std::memcpy(&b[at], &v, 4); }

std::string problem_of(const result &r) { return r ? r->message() : "ok"; }

#define EXPECT_PROBLEM(expr, text) \
  EXPECT_NE(problem_of(expr).find(text), std::string::npos) << problem_of(expr)

// --- BTF: header ----------------------------------------------------------------

TEST(Btf, WellFormedIsAccepted) {
  btf_builder b;
  const auto i = b.int_type("int");
  const auto next = b.ptr(b.next_id() + 1);  // struct node *next;
  b.struct_("node", {next, i});
  EXPECT_EQ(problem_of(check_btf(b.bytes())), "ok");
}

TEST(Btf, BigEndianIsAccepted) {
  btf_builder b(true);
  const auto i = b.int_type("int");
  b.typedef_("myint", i);
  EXPECT_EQ(problem_of(check_btf(b.bytes())), "ok");
}

TEST(Btf, Header) {
  btf_builder b;
  b.int_type("int");
  const auto good = b.bytes();
  EXPECT_PROBLEM(check_btf(std::span(good).first(10)), "malformed BTF: 10 bytes, shorter than the 24 bytes header");
  auto bad = good;
  bad[0] = std::byte{0};
  EXPECT_PROBLEM(check_btf(bad), "no BTF magic 0xeb9f");
  bad = good;
  bad[2] = std::byte{2};
  EXPECT_PROBLEM(check_btf(bad), "version 2, only version 1 exists");
  bad = good;
  bad[3] = std::byte{1};
  EXPECT_PROBLEM(check_btf(bad), "unknown header flags 1");
  bad = good;
  set_u32(bad, 4, 1000);
  EXPECT_PROBLEM(check_btf(bad), "header length 1000 is not between 24 and the data size");
  bad = good;
  set_u32(bad, 12, 4000);
  EXPECT_PROBLEM(check_btf(bad), "the type section (offset 0, 4000 bytes) runs past the end");
  bad = good;
  set_u32(bad, 20, 4000);
  EXPECT_PROBLEM(check_btf(bad), "the string section (offset 16, 4000 bytes) runs past the end");
  bad = good;
  set_u32(bad, 8, 2);
  set_u32(bad, 12, 0);
  EXPECT_PROBLEM(check_btf(bad), "the type section starts at offset 2, not a multiple of 4");
  bad = good;
  set_u32(bad, 16, 8);  // strings inside the types
  set_u32(bad, 20, 4);
  EXPECT_PROBLEM(check_btf(bad), "the type section overlaps or follows the string section");
  bad = good;
  bad.back() = std::byte{'x'};
  EXPECT_PROBLEM(check_btf(bad), "the string section does not end with a NUL byte");
  bad = good;
  bad[24 + 16] = std::byte{'x'};
  EXPECT_PROBLEM(check_btf(bad), "the string section does not start with the empty string");
  bpfkit::object_check::limits small;
  small.max_btf_size = 20;
  EXPECT_PROBLEM(check_btf(good, small), "more than the limit of 20 bytes");
}

TEST(Btf, HeaderTailMustBeZero) {
  btf_builder b;
  b.int_type("int");
  auto bytes = b.bytes();
  // A 28-byte header with a non-zero field libbpf does not know.
  bytes.insert(bytes.begin() + 24, {std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0}});
  set_u32(bytes, 4, 28);
  EXPECT_PROBLEM(check_btf(bytes), "the header has unknown non-zero fields past byte 24");
  bytes[24] = std::byte{0};
  EXPECT_EQ(problem_of(check_btf(bytes)), "ok");
}

// --- BTF: types ------------------------------------------------------------------

TEST(Btf, RecordLayout) {
  btf_builder b;
  b.type(0, 25, 0, 0);
  EXPECT_PROBLEM(check_btf(b.bytes()), "type [1] has the unknown kind 25");
  btf_builder reserved;
  reserved.int_type("int");
  auto bytes = reserved.bytes();
  set_u32(bytes, 24 + 4, (BTF_KIND_INT << 24) | (1 << 16));
  EXPECT_PROBLEM(check_btf(bytes), "type [1] INT sets reserved bits of its info field");
  btf_builder cut;
  cut.type(0, BTF_KIND_STRUCT, 5, 8);  // five members announced, none there
  EXPECT_PROBLEM(check_btf(cut.bytes()), "type [1] STRUCT with 5 entries runs past the end of the type section");
}

TEST(Btf, Names) {
  btf_builder b;
  b.type(999, BTF_KIND_INT, 0, 4, {32});
  EXPECT_PROBLEM(check_btf(b.bytes()),
                 "type [1] INT: its name is at string offset 999, past the end of the strings");
  btf_builder unnamed;
  unnamed.type(0, BTF_KIND_TYPEDEF, 0, 0);
  EXPECT_PROBLEM(check_btf(unnamed.bytes()), "type [1] TYPEDEF has no name");
  btf_builder member;
  const auto i = member.int_type("int");
  member.type(member.str("s"), BTF_KIND_STRUCT, 1, 4, {7777, i, 0});
  EXPECT_PROBLEM(check_btf(member.bytes()), "member 0's name is at string offset 7777");
}

TEST(Btf, References) {
  btf_builder b;
  b.ptr(42);
  EXPECT_PROBLEM(check_btf(b.bytes()), "type [1] PTR refers to type 42, past the last type [1]");
  btf_builder to_func;
  const auto proto = to_func.type(0, BTF_KIND_FUNC_PROTO, 0, 0);
  const auto func = to_func.type(to_func.str("f"), BTF_KIND_FUNC, 0, proto);
  to_func.ptr(func);
  EXPECT_PROBLEM(check_btf(to_func.bytes()), "type [3] PTR refers to [2] FUNC \"f\", which is not a data type");
  btf_builder func_to_int;
  const auto i = func_to_int.int_type("int");
  func_to_int.type(func_to_int.str("f"), BTF_KIND_FUNC, 0, i);
  EXPECT_PROBLEM(check_btf(func_to_int.bytes()), "refers to [1] INT \"int\", not a FUNC_PROTO");
  btf_builder array_of_void;
  array_of_void.type(0, BTF_KIND_ARRAY, 0, 0, {0, 0, 4});
  EXPECT_PROBLEM(check_btf(array_of_void.bytes()), "type [1] ARRAY has the element type void");
  btf_builder var;
  const auto p2 = var.type(0, BTF_KIND_FUNC_PROTO, 0, 0);
  var.type(var.str("v"), BTF_KIND_VAR, 0, p2, {1});
  EXPECT_PROBLEM(check_btf(var.bytes()), "has the type [1] FUNC_PROTO, which is not a data type");
}

TEST(Btf, VarargsOnlyLast) {
  btf_builder ok;
  const auto i = ok.int_type("int");
  ok.type(0, BTF_KIND_FUNC_PROTO, 2, i, {ok.str("a"), i, 0, 0});
  EXPECT_EQ(problem_of(check_btf(ok.bytes())), "ok");
  btf_builder bad;
  const auto j = bad.int_type("int");
  bad.type(0, BTF_KIND_FUNC_PROTO, 2, j, {0, 0, bad.str("b"), j});
  EXPECT_PROBLEM(check_btf(bad.bytes()), "parameter 0 has the type void");
}

TEST(Btf, Sizes) {
  btf_builder wide;
  wide.int_type("odd", 3, 24);
  EXPECT_PROBLEM(check_btf(wide.bytes()), "has the size 3 (an integer has 1, 2, 4, 8 or 16 bytes)");
  btf_builder bits;
  bits.int_type("int", 4, 40);
  EXPECT_PROBLEM(check_btf(bits.bytes()), "has 40 bits at bit offset 0, more than its 4 bytes hold");
  btf_builder encoding;
  encoding.int_type("int", 4, 32, 3);
  EXPECT_PROBLEM(check_btf(encoding.bytes()), "has the unknown encoding 3");
  btf_builder e;
  e.type(e.str("e"), BTF_KIND_ENUM, 0, 3);
  EXPECT_PROBLEM(check_btf(e.bytes()), "has the size 3 (an enum has 1, 2, 4 or 8 bytes)");
  btf_builder f;
  f.type(f.str("f"), BTF_KIND_FLOAT, 0, 5);
  EXPECT_PROBLEM(check_btf(f.bytes()), "has the size 5 (a float has 2, 4, 8, 12 or 16 bytes)");
  btf_builder member;
  const auto i = member.int_type("int");
  member.type(member.str("s"), BTF_KIND_STRUCT, 1, 4, {member.str("x"), i, 64});
  EXPECT_PROBLEM(check_btf(member.bytes()), "member 0 starts at bit 64, past the end of the 4 bytes type");
}

TEST(Btf, DatasecAndDeclTag) {
  btf_builder sec;
  const auto i = sec.int_type("int");
  sec.type(sec.str(".data"), BTF_KIND_DATASEC, 1, 4, {i, 0, 4});
  EXPECT_PROBLEM(check_btf(sec.bytes()), "entry 0 refers to [1] INT \"int\", not a VAR or FUNC");
  btf_builder tag;
  const auto j = tag.int_type("int");
  const auto s = tag.type(tag.str("s"), BTF_KIND_STRUCT, 1, 4, {tag.str("x"), j, 0});
  tag.type(tag.str("tag"), BTF_KIND_DECL_TAG, 0, s, {5});
  EXPECT_PROBLEM(check_btf(tag.bytes()), "tags component 5 of [2] STRUCT \"s\", which has 1");
  btf_builder tag_int;
  const auto k = tag_int.int_type("int");
  tag_int.type(tag_int.str("tag"), BTF_KIND_DECL_TAG, 0, k, {0xffffffff});
  EXPECT_PROBLEM(check_btf(tag_int.bytes()), "tags [1] INT \"int\" (tags apply to structs");
}

// --- BTF: cycles and depth ---------------------------------------------------------

TEST(Btf, PointerToItself) {
  btf_builder b;
  b.ptr(1);
  EXPECT_PROBLEM(check_btf(b.bytes()),
                 "type [1] PTR refers to itself: [1] PTR -> [1] (a cycle must pass through a "
                 "pointer to a named struct or union)");
}

TEST(Btf, TypedefLoop) {
  btf_builder b;
  b.typedef_("a", 2);
  b.typedef_("b", 1);
  EXPECT_PROBLEM(check_btf(b.bytes()), "type [1] TYPEDEF \"a\" refers to itself: [1] TYPEDEF \"a\" -> [2] TYPEDEF \"b\" -> [1]");
}

TEST(Btf, StructContainingItself) {
  btf_builder b;
  b.struct_("s", {1});
  EXPECT_PROBLEM(check_btf(b.bytes()), "type [1] STRUCT \"s\" refers to itself");
}

TEST(Btf, PointerThroughFunctionProtoToItself) {
  btf_builder b;
  b.ptr(2);
  b.type(0, BTF_KIND_FUNC_PROTO, 0, 1);  // returns the pointer to itself
  EXPECT_PROBLEM(check_btf(b.bytes()), "refers to itself");
}

TEST(Btf, AnonymousStructThroughPointer) {
  // typedef struct { T *next; } T; is not C: an anonymous struct cannot be
  // named inside itself.
  btf_builder b;
  const auto t = b.next_id();
  const auto ptr = b.ptr(t + 1);
  b.typedef_("T", t + 2);
  b.struct_("", {ptr});
  EXPECT_PROBLEM(check_btf(b.bytes()), "refers to itself");
}

TEST(Btf, NamedStructThroughPointerOrTypedefIsFine) {
  btf_builder b;
  const auto td = b.typedef_("node_t", 3);  // typedef struct node node_t;
  const auto next = b.ptr(td);              // node_t *next;
  b.struct_("node", {next});                // [3]
  EXPECT_EQ(problem_of(check_btf(b.bytes())), "ok");
}

TEST(Btf, NestingDepth) {
  btf_builder b;
  const auto i = b.int_type("int");
  std::uint32_t last = i;
  for (int n = 0; n < 20; ++n) last = b.ptr(last);
  bpfkit::object_check::limits limits;
  limits.max_type_depth = 30;
  EXPECT_EQ(problem_of(check_btf(b.bytes(), limits)), "ok");
  limits.max_type_depth = 10;
  EXPECT_PROBLEM(check_btf(b.bytes(), limits), "nests more than 10 levels of types");
}

// --- what C renderings of the BTF cost ----------------------------------------------

TEST(Btf, StructSizeFitsLibbpfsBitOffsets) {
  btf_builder b;
  b.type(b.str("huge"), BTF_KIND_STRUCT, 0, 1u << 28);
  EXPECT_PROBLEM(check_btf(b.bytes()),
                 "type [1] STRUCT \"huge\" has the size 268435456, more than 268435455 bytes");
}

TEST(Btf, PaddingIsWrittenOutAndCounted) {
  // btf_dump writes a 100 MiB hole as 13 million `long: 64;` fields.
  btf_builder b;
  b.type(b.str("holey"), BTF_KIND_STRUCT, 0, 100u << 20);
  EXPECT_PROBLEM(check_btf(b.bytes()),
                 "written as C it would take more than 2000000 lines, more than that of them for "
                 "[1] STRUCT \"holey\"");
}

TEST(Btf, SharedAnonymousTypesAreCountedAtEveryUse) {
  // Twenty levels of anonymous structs, each using the one below four
  // times: a few hundred bytes of BTF, 4^20 lines of C.
  btf_builder b;
  std::uint32_t below = b.int_type("int");
  for (int level = 0; level < 20; ++level) below = b.struct_("", {below, below, below, below});
  b.struct_("top", {below});
  EXPECT_PROBLEM(check_btf(b.bytes()), "written as C it would take more than 2000000 lines");
  bpfkit::object_check::limits limits;
  limits.max_c_lines = 1ull << 50;
  EXPECT_EQ(problem_of(check_btf(b.bytes(), limits)), "ok");
}

// --- split BTF ---------------------------------------------------------------------

TEST(SplitBtf, ContinuesIdsAndStrings) {
  btf_builder base;
  base.int_type("int");
  const auto base_bytes = base.bytes();
  // The split part: type ids from 2, string offsets past base's.
  std::vector<std::byte> split;
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) split.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  };
  const std::string strings = "mytype";
  split = {std::byte{0x9f}, std::byte{0xeb}, std::byte{1}, std::byte{0}};
  u32(24);
  u32(0);
  u32(12);
  u32(12);
  u32(static_cast<std::uint32_t>(strings.size() + 1));
  u32(base.string_size());  // name: the first string of the split part
  u32(BTF_KIND_TYPEDEF << 24);
  u32(1);  // the base's int
  for (char c : strings) split.push_back(static_cast<std::byte>(c));
  split.push_back(std::byte{0});
  EXPECT_EQ(problem_of(check_split_btf(split, base_bytes)), "ok");
  set_u32(split, 24 + 8, 5);
  EXPECT_PROBLEM(check_split_btf(split, base_bytes), "type [2] TYPEDEF \"mytype\" refers to type 5, past the last type [2]");
}

// --- .BTF.ext ------------------------------------------------------------------------

struct ext_builder {
  std::vector<std::uint32_t> func, line, core;
  std::vector<std::byte> bytes() const {
    std::vector<std::byte> out;
    auto u32 = [&](std::uint32_t v) {
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
    };
    out = {std::byte{0x9f}, std::byte{0xeb}, std::byte{1}, std::byte{0}};
    const auto f = static_cast<std::uint32_t>(4 * func.size()), l = static_cast<std::uint32_t>(4 * line.size());
    u32(32);
    u32(0);
    u32(f);
    u32(f);
    u32(l);
    u32(f + l);
    u32(static_cast<std::uint32_t>(4 * core.size()));
    for (auto v : func) u32(v);
    for (auto v : line) u32(v);
    for (auto v : core) u32(v);
    return out;
  }
};

class BtfExt : public testing::Test {
 protected:
  void SetUp() override {
    const auto i = btf.int_type("int");
    proto = btf.type(0, BTF_KIND_FUNC_PROTO, 0, i);
    func = btf.type(btf.str("prog"), BTF_KIND_FUNC, 1, proto);
    section = btf.str("xdp");
    file = btf.str("a.bpf.c");
    access = btf.str("0:1");
  }
  result check(const ext_builder &ext) { return check_btf_ext(ext.bytes(), btf.bytes()); }

  btf_builder btf;
  std::uint32_t proto = 0, func = 0, section = 0, file = 0, access = 0;
};

TEST_F(BtfExt, WellFormedIsAccepted) {
  ext_builder ext;
  ext.func = {8, section, 1, 0, func};
  ext.line = {16, section, 1, 0, file, file, 7 << 10};
  ext.core = {16, section, 1, 8, 1, access, 0};
  EXPECT_EQ(problem_of(check(ext)), "ok");
}

TEST_F(BtfExt, Records) {
  ext_builder ext;
  ext.func = {3, section, 1, 0, func};
  EXPECT_PROBLEM(check(ext), "malformed BTF: .BTF.ext: func_info has the record size 3 (at least 8, a multiple of 4)");
  ext.func = {8, 9999, 1, 0, func};
  EXPECT_PROBLEM(check(ext), "func_info names its section with the string offset 9999, which is not a name in .BTF");
  ext.func = {8, section, 0};
  EXPECT_PROBLEM(check(ext), "func_info for section \"xdp\" has no records");
  ext.func = {8, section, 3, 0, func};
  EXPECT_PROBLEM(check(ext), "func_info for section \"xdp\" has 3 records, more than fit in the table");
  ext.func = {8, section, 1, 0, proto};
  EXPECT_PROBLEM(check(ext), "func_info record 0 of section \"xdp\" refers to type 2, which is not a FUNC in .BTF");
  ext.func = {8, section, 1, 4, func};
  EXPECT_PROBLEM(check(ext), "has the instruction offset 4, not a multiple of 8");
  ext.func = {};
  ext.line = {16, section, 1, 0, 5000, file, 0};
  EXPECT_PROBLEM(check(ext), "line_info record 0 of section \"xdp\" has a file name offset past the end of the .BTF strings");
  ext.line = {};
  ext.core = {16, section, 1, 0, 1, file, 0};
  EXPECT_PROBLEM(check(ext), "core_relo record 0 of section \"xdp\" has no access string of the form 0:1:2");
  ext.core = {16, section, 1, 0, 1, access, 13};
  EXPECT_PROBLEM(check(ext), "has the unknown relocation kind 13");
  ext.core = {16, section, 1, 0, 0, access, 0};
  EXPECT_PROBLEM(check(ext), "core_relo record 0 of section \"xdp\" refers to type 0, which is not a type in .BTF");
}

TEST_F(BtfExt, Header) {
  ext_builder ext;
  auto bytes = ext.bytes();
  set_u32(bytes, 4, 8);
  EXPECT_PROBLEM(check_btf_ext(bytes, btf.bytes()), "header length 8 is not between 24 and the section size");
  bytes = ext.bytes();
  bytes[0] = std::byte{0xeb};
  bytes[1] = std::byte{0x9f};
  EXPECT_PROBLEM(check_btf_ext(bytes, btf.bytes()), "its byte order differs from .BTF's");
}

// --- ELF ------------------------------------------------------------------------------

// A relocatable 64-bit little-endian ELF file with the given sections.
struct elf_builder {
  struct section {
    std::string name;
    std::uint32_t type = SHT_PROGBITS;
    std::uint64_t flags = 0;
    std::vector<std::byte> data;
    std::uint32_t link = 0, info = 0;
    std::uint64_t entsize = 0, align = 8;
  };
  std::uint16_t machine = 247;  // EM_BPF
  std::uint16_t type = ET_REL;
  std::vector<section> sections;

  std::size_t add(section s) {
    sections.push_back(std::move(s));
    return sections.size();  // index in the file: after the null section
  }

  // Returns the file; `section_offsets` receives where each section's header is.
  std::vector<std::byte> bytes(std::vector<std::size_t> *header_offsets = nullptr) const {
    std::vector<std::byte> out(64);
    std::string names(1, '\0');
    std::vector<std::uint32_t> name_offsets;
    for (const auto &s : sections) {
      name_offsets.push_back(static_cast<std::uint32_t>(names.size()));
      names += s.name + '\0';
    }
    const auto names_offset = static_cast<std::uint32_t>(names.size());
    names += std::string(".shstrtab") + '\0';
    std::vector<std::uint64_t> offsets;
    for (const auto &s : sections) {
      while (out.size() % 8) out.push_back(std::byte{0});
      offsets.push_back(out.size());
      out.insert(out.end(), s.data.begin(), s.data.end());
    }
    const std::uint64_t names_at = out.size();
    for (char c : names) out.push_back(static_cast<std::byte>(c));
    while (out.size() % 8) out.push_back(std::byte{0});
    const std::uint64_t shoff = out.size();
    auto put = [&](std::size_t at, std::uint64_t v, int n) {
      for (int i = 0; i < n; ++i) out[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
    };
    const std::size_t count = sections.size() + 2;
    out.resize(shoff + 64 * count);
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const std::size_t h = shoff + 64 * (i + 1);
      const auto &s = sections[i];
      put(h, name_offsets[i], 4);
      put(h + 4, s.type, 4);
      put(h + 8, s.flags, 8);
      put(h + 24, offsets[i], 8);
      put(h + 32, s.data.size(), 8);
      put(h + 40, s.link, 4);
      put(h + 44, s.info, 4);
      put(h + 48, s.align, 8);
      put(h + 56, s.entsize, 8);
      if (header_offsets) header_offsets->push_back(h);
    }
    const std::size_t h = shoff + 64 * (count - 1);
    put(h, names_offset, 4);
    put(h + 4, SHT_STRTAB, 4);
    put(h + 24, names_at, 8);
    put(h + 32, names.size(), 8);
    std::memcpy(out.data(), "\x7f" "ELF", 4);
    out[EI_CLASS] = std::byte{ELFCLASS64};
    out[EI_DATA] = std::byte{ELFDATA2LSB};
    out[EI_VERSION] = std::byte{EV_CURRENT};
    put(16, type, 2);
    put(18, machine, 2);
    put(20, EV_CURRENT, 4);
    put(40, shoff, 8);
    put(52, 64, 2);
    put(58, 64, 2);
    put(60, count, 2);
    put(62, count - 1, 2);
    return out;
  }
};

std::vector<std::byte> words(std::initializer_list<std::uint64_t> values, int size = 8) {
  std::vector<std::byte> out;
  for (auto v : values)
    for (int i = 0; i < size; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  return out;
}

// An Elf64_Sym.
std::vector<std::byte> symbol(std::uint32_t name, unsigned char info, std::uint16_t shndx,
                              std::uint64_t value, std::uint64_t size) {
  std::vector<std::byte> out = words({name}, 4);
  out.push_back(static_cast<std::byte>(info));
  out.push_back(std::byte{0});
  auto index = words({shndx}, 2);
  out.insert(out.end(), index.begin(), index.end());
  auto rest = words({value, size});
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// A program section (16 bytes of code), a string table and a symbol table
// with the program's symbol, and a relocation of its first instruction.
struct object_fixture {
  elf_builder elf;
  std::size_t code, strtab, symtab, rel;
  object_fixture(std::uint16_t symbol_section = 1, std::uint64_t symbol_size = 16,
                 std::uint64_t relocation_symbol = 1, std::uint64_t relocation_offset = 0,
                 std::uint32_t relocation_type = 10) {
    code = elf.add({"xdp", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, std::vector<std::byte>(16)});
    std::vector<std::byte> names{std::byte{0}};
    for (char c : std::string("prog")) names.push_back(static_cast<std::byte>(c));
    names.push_back(std::byte{0});
    strtab = elf.add({".strtab", SHT_STRTAB, 0, names, 0, 0, 0, 1});
    auto symbols = symbol(0, 0, 0, 0, 0);
    auto prog = symbol(1, (STB_GLOBAL << 4) | STT_FUNC, symbol_section, 0, symbol_size);
    symbols.insert(symbols.end(), prog.begin(), prog.end());
    symtab = elf.add({".symtab", SHT_SYMTAB, 0, symbols, static_cast<std::uint32_t>(strtab), 1, 24});
    rel = elf.add({".relxdp", SHT_REL, 0,
                   words({relocation_offset, (relocation_symbol << 32) | relocation_type}),
                   static_cast<std::uint32_t>(symtab), static_cast<std::uint32_t>(code), 16});
  }
};

TEST(Elf, WellFormedObjectIsAccepted) {
  object_fixture f;
  EXPECT_EQ(problem_of(check_bpf_object(f.elf.bytes())), "ok");
}

TEST(Elf, NotABpfObject) {
  const std::vector<std::byte> text(100, std::byte{'a'});
  EXPECT_EQ(problem_of(check_bpf_object(text)), "not a BPF object: not an ELF file");
  object_fixture host;
  host.elf.machine = EM_X86_64;
  EXPECT_EQ(problem_of(check_bpf_object(host.elf.bytes())), "not a BPF object: ELF for x86-64, not BPF");
  object_fixture executable;
  executable.elf.type = ET_EXEC;
  EXPECT_PROBLEM(check_bpf_object(executable.elf.bytes()), "not a relocatable object (ET_REL)");
  bpfkit::object_check::limits small;
  small.max_object_size = 100;
  EXPECT_PROBLEM(check_bpf_object(object_fixture().elf.bytes(), small), "more than the limit of 100");
}

TEST(Elf, SectionTable) {
  object_fixture f;
  std::vector<std::size_t> headers;
  auto good = f.elf.bytes(&headers);
  auto bad = good;
  std::memset(&bad[58], 40, 1);  // e_shentsize
  EXPECT_PROBLEM(check_bpf_object(bad), "malformed ELF: section headers of 40 bytes, expected 64");
  bad = good;
  bad.resize(bad.size() - 64);
  EXPECT_PROBLEM(check_bpf_object(bad), "section headers at offset");
  bad = good;
  set_u32(bad, headers[0] + 32, 100000);  // the code's size
  EXPECT_PROBLEM(check_bpf_object(bad), "section [1] (offset 64, 100000 bytes) runs past the end of the file");
  bad = good;
  set_u32(bad, headers[0] + 48, 3);  // alignment
  EXPECT_PROBLEM(check_bpf_object(bad), "section [1] has the alignment 3, not a power of two");
  bad = good;
  set_u32(bad, headers[0], 5000);  // name offset
  EXPECT_PROBLEM(check_bpf_object(bad), "section [1] has its name at offset 5000, past the end of the section name table");
  bad = good;
  bad[62] = std::byte{20};  // e_shstrndx
  EXPECT_PROBLEM(check_bpf_object(bad), "the section name table is section [20], but there are 6 sections");
  bad = good;
  set_u32(bad, headers[1] + 24, 64);  // section [2] placed on the code
  EXPECT_PROBLEM(check_bpf_object(bad),
                 "section [1] \"xdp\" (offset 64, 16 bytes) overlaps section [2] \".strtab\" (offset 64, 6 bytes)");
  bad = good;
  set_u32(bad, headers[0] + 24, static_cast<std::uint32_t>(headers[0]));  // the code on the header table
  EXPECT_PROBLEM(check_bpf_object(bad), "overlaps the section header table");
  bad = good;
  set_u32(bad, headers[0] + 24, 8);  // the code on the ELF header
  EXPECT_PROBLEM(check_bpf_object(bad),
                 "section [1] \"xdp\" (offset 8, 16 bytes) overlaps the ELF header (offset 0, 64 bytes)");
  bad = good;
  set_u32(bad, headers[0] + 8, SHF_ALLOC | SHF_EXECINSTR | SHF_COMPRESSED);
  EXPECT_PROBLEM(check_bpf_object(bad), "section [1] \"xdp\" is compressed (SHF_COMPRESSED); only DWARF (.debug_*) sections may be");
  object_fixture named_like_dwarf;
  named_like_dwarf.elf.sections[2].name = ".debug_";  // the symbol table
  named_like_dwarf.elf.sections[2].flags = SHF_COMPRESSED;
  EXPECT_PROBLEM(check_bpf_object(named_like_dwarf.elf.bytes()),
                 "section [3] \".debug_\" is compressed (SHF_COMPRESSED); only DWARF (.debug_*) sections may be");
  bad = good;
  set_u32(bad, headers[0] - 64 + 8, SHF_EXECINSTR);  // section [0]'s flags
  EXPECT_PROBLEM(check_bpf_object(bad),
                 "section [0] is not the reserved null section (type 0, flags 0x4, offset 0, entry size 0)");
  bad = good;
  set_u32(bad, headers[2] + 56, 16);  // symbol entries of 16 bytes
  EXPECT_PROBLEM(check_bpf_object(bad), "section [3] \".symtab\" has entries of 16 bytes");
}

TEST(Elf, Code) {
  object_fixture f;
  f.elf.sections[0].data.resize(12);
  f.elf.sections[1].data = {std::byte{0}};  // no program symbol name needed
  EXPECT_PROBLEM(check_bpf_object(f.elf.bytes()), "holds 12 bytes of code, not a whole number of 8-byte instructions");
}

TEST(Elf, Symbols) {
  EXPECT_PROBLEM(check_bpf_object(object_fixture(9).elf.bytes()),
                 "symbol 1 is defined in section [9], but there are 6 sections");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 24).elf.bytes()),
                 "symbol 1 (24 bytes at offset 0) lies outside section [1] \"xdp\" (16 bytes)");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 12).elf.bytes()),
                 "symbol 1 does not cover whole 8-byte instructions of section [1] \"xdp\"");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(0xffd4).elf.bytes()),
                 "symbol 1 has the reserved section index 0xffd4, which is neither SHN_ABS nor SHN_COMMON");
  object_fixture section_symbol(SHN_ABS);
  section_symbol.elf.sections[2].data[28] = std::byte{STT_SECTION};  // the program symbol's st_info
  EXPECT_PROBLEM(check_bpf_object(section_symbol.elf.bytes()),
                 "symbol 1 is a section symbol that names no section");
  object_fixture name;
  name.elf.sections[2].data[24] = std::byte{99};  // the program symbol's name offset
  EXPECT_PROBLEM(check_bpf_object(name.elf.bytes()),
                 "symbol 1 has its name at offset 99, past the end of the symbol name table");
}

TEST(Elf, Relocations) {
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 16, 7).elf.bytes()),
                 "relocation 0 of section [4] \".relxdp\" refers to symbol 7, but there are 2 symbols");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 16, 1, 12).elf.bytes()),
                 "relocation 0 of section [4] \".relxdp\" patches 8 bytes at offset 12, outside section [1] \"xdp\" (16 bytes)");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 16, 1, 4, 3).elf.bytes()),
                 "patches offset 4, not the start of an instruction");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 16, 1, 0, 77).elf.bytes()),
                 "has the unknown type 77");
  EXPECT_PROBLEM(check_bpf_object(object_fixture(1, 16, 1, 8, 1).elf.bytes()),
                 "patches 16 bytes at offset 8");  // ld_imm64 needs two instructions
}

TEST(Elf, BtfSections) {
  btf_builder b;
  b.int_type("int");
  object_fixture with_btf;
  with_btf.elf.add({".BTF", SHT_PROGBITS, 0, b.bytes()});
  EXPECT_EQ(problem_of(check_bpf_object(with_btf.elf.bytes())), "ok");
  object_fixture twice = with_btf;
  twice.elf.add({".BTF", SHT_PROGBITS, 0, b.bytes()});
  EXPECT_PROBLEM(check_bpf_object(twice.elf.bytes()), "two sections named \".BTF\"");
  object_fixture ext_only;
  ext_only.elf.add({".BTF.ext", SHT_PROGBITS, 0, ext_builder().bytes()});
  EXPECT_PROBLEM(check_bpf_object(ext_only.elf.bytes()), "a .BTF.ext section without a .BTF section");
  object_fixture big;
  big.elf.add({".BTF", SHT_PROGBITS, 0, btf_builder(true).bytes()});
  EXPECT_PROBLEM(check_bpf_object(big.elf.bytes()), "malformed BTF: its byte order differs from the ELF file's");
  object_fixture bad_btf;
  btf_builder loop;
  loop.ptr(1);
  bad_btf.elf.add({".BTF", SHT_PROGBITS, 0, loop.bytes()});
  EXPECT_PROBLEM(check_bpf_object(bad_btf.elf.bytes()), "malformed BTF: type [1] PTR refers to itself");
  // .BTF.ext instruction offsets are checked against the section they name.
  btf_builder named;
  const auto i = named.int_type("int");
  const auto proto = named.type(0, BTF_KIND_FUNC_PROTO, 0, i);
  const auto func = named.type(named.str("prog"), BTF_KIND_FUNC, 1, proto);
  const auto xdp = named.str("xdp"), missing = named.str("tc");
  object_fixture ext;
  ext.elf.add({".BTF", SHT_PROGBITS, 0, named.bytes()});
  ext_builder records;
  records.func = {8, xdp, 1, 16, func};
  ext.elf.add({".BTF.ext", SHT_PROGBITS, 0, records.bytes()});
  EXPECT_PROBLEM(check_bpf_object(ext.elf.bytes()), "has the instruction offset 16, past the end of the section (16 bytes)");
  ext.elf.sections.back().data = [&] {
    ext_builder other;
    other.func = {8, missing, 1, 0, func};
    return other.bytes();
  }();
  EXPECT_PROBLEM(check_bpf_object(ext.elf.bytes()), "func_info refers to the section \"tc\", which the object does not have");
}

TEST(Elf, StructureOfAnyElf) {
  object_fixture host;
  host.elf.machine = EM_AARCH64;
  host.elf.type = ET_EXEC;
  btf_builder b;
  b.int_type("int");
  host.elf.add({".BTF", SHT_PROGBITS, 0, b.bytes()});
  const auto bytes = host.elf.bytes();
  EXPECT_EQ(problem_of(check_elf_structure(bytes)), "ok");
  const auto btf = find_elf_section(bytes, ".BTF");
  ASSERT_TRUE(btf);
  EXPECT_EQ(btf->size(), b.bytes().size());
  EXPECT_FALSE(find_elf_section(bytes, ".nothing"));
}

TEST(Quote, EscapesWhatCouldForgeOutput) {
  EXPECT_EQ(quote("tc\n// x"), "\"tc\\n// x\"");
  EXPECT_EQ(quote("a\\\"b"), "\"a\\\\\\\"b\"");
  EXPECT_EQ(quote("\x1b[31m\xff"), "\"\\x1b[31m\\xff\"");
  EXPECT_EQ(quote("abcdef", 3), "\"abc...\"");
}

}  // namespace
