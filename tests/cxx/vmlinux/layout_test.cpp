// The C++ vmlinux.h lays out every kernel struct and union exactly as the
// kernel's BTF says, bit-fields included: an object referencing every record
// (references.cmake) is compiled as C++, and the BTF clang writes for it is
// compared with the kernel's, record by record, member by member.
//
// (The header's static_asserts check sizes and byte offsets at every
// compile; this also covers bit-field offsets, which offsetof cannot.)
#include <bpf/btf.h>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

namespace {

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

struct member {
  std::string name;
  std::uint32_t bit_offset;
  std::uint32_t bitfield;
  bool operator==(const member &) const = default;
};

struct record {
  std::uint32_t size = 0;
  std::vector<member> members;  // anonymous members flattened
};

std::string name_at(const btf &b, std::uint32_t offset) {
  const char *name = btf__name_by_offset(&b, offset);
  return name ? name : "";
}

bool cxx_keyword(const std::string &name) {
  static const char *const keywords[] = {"private", "class", "new", "delete", "export",
                                         "namespace", "xor", "not", "operator", "compl",
                                         "template", "public", "this", "and", "or"};
  for (const char *k : keywords)
    if (name == k) return true;
  return false;
}

void flatten(const btf &b, const btf_type *t, std::uint32_t base, bool cxx_names,
             std::vector<member> &out) {
  for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
    const btf_member &m = btf_members(t)[i];
    std::string name = name_at(b, m.name_off);
    const std::uint32_t offset = base + btf_member_bit_offset(t, i);
    if (name.empty()) {
      std::uint32_t id = m.type;
      const btf_type *inner = btf__type_by_id(&b, id);
      while (inner && (btf_is_mod(inner) || btf_is_typedef(inner))) inner = btf__type_by_id(&b, inner->type);
      if (inner && btf_is_composite(inner)) flatten(b, inner, offset, cxx_names, out);
      continue;
    }
    if (cxx_names && name == "__bpfkit_union_size") continue;  // a union's explicit size
    if (!cxx_names && cxx_keyword(name)) name += '_';
    out.push_back({name, offset, btf_member_bitfield_size(t, i)});
  }
}

// Named records by their C++ name: the kernel's get ___N for a repeated
// name (in ID order, as vmlinux.h) and '_' for a keyword.
std::map<std::string, record> records(const btf &b, bool kernel) {
  std::map<std::string, record> out;
  std::unordered_map<std::string, int> seen;
  for (std::uint32_t id = 1; id < btf__type_cnt(&b); ++id) {
    const btf_type *t = btf__type_by_id(&b, id);
    const bool tag = btf_is_composite(t) || ((btf_is_enum(t) || btf_is_enum64(t)) && btf_vlen(t));
    if (!tag || t->name_off == 0) continue;
    std::string name = name_at(b, t->name_off);
    if (kernel) {
      const int n = ++seen[name];
      if (n > 1) name += "___" + std::to_string(n);
      if (cxx_keyword(name)) name += '_';
    }
    if (!btf_is_composite(t)) continue;
    record r;
    r.size = t->size;
    flatten(b, t, 0, !kernel, r.members);
    out.emplace(name, std::move(r));
  }
  return out;
}

TEST(vmlinux, EveryRecordHasItsKernelLayout) {
  btf_ptr kernel(btf__parse(KERNEL_BTF, nullptr));
  ASSERT_TRUE(kernel) << "cannot read " << KERNEL_BTF;
  btf_ptr object(btf__parse_elf(LAYOUT_OBJECT, nullptr));
  ASSERT_TRUE(object) << "cannot read " << LAYOUT_OBJECT;
  const auto expected = records(*kernel, true);
  const auto compiled = records(*object, false);

  std::size_t compared = 0;
  for (const auto &[name, want] : expected) {
    auto got = compiled.find(name);
    if (got == compiled.end()) continue;  // a record no C++ name refers to (a FWD only)
    ++compared;
    // GNU C's empty structs take 0 bytes; C++'s are 1 byte, and only as
    // array-of-none members does this header make them take 0.
    if (want.size == 0) {
      EXPECT_LE(got->second.size, 1u) << name;
    } else {
      EXPECT_EQ(got->second.size, want.size) << name;
    }
    EXPECT_EQ(got->second.members, want.members) << name;
  }
  EXPECT_GT(compared, expected.size() * 9 / 10) << "most kernel records must be compared";
}

}  // namespace
