// inspect.unit.Compare*: layouts compared between two BTFs.
#include <gtest/gtest.h>

#include "bpfkit/inspect/compare.hpp"
#include "btf_builder.hpp"

namespace {

using bpfkit::inspect::comparison_report;
using bpfkit::inspect::comparison_text;
using bpfkit::inspect::type_comparer;
using bpfkit::inspect::type_comparison;
using inspect_test::builder;

// Baseline: struct sample { int a; int b; union { int c; long d; }; unsigned f:3; short gone; };
// Target:   struct sample { long a; int new_one; int b; union { int c; long d; }; unsigned x:2, f:3; };
struct two_sides {
  builder base, target;
  std::uint32_t base_sample, base_same, base_missing, base_enum;
  two_sides() {
    {
      const auto i = base.integer("int", 4, true), l = base.integer("long", 8, true);
      const auto u = base.integer("unsigned int", 4), s = base.integer("short", 2, true);
      const auto anon = base.union_of(nullptr, 8, {{"c", i, 0}, {"d", l, 0}});
      base_sample = base.structure("sample", 32, {{"a", i, 0}, {"b", i, 32}, {nullptr, anon, 64},
                                                  {"f", u, 128, 3}, {"gone", s, 160}});
      base_same = base.structure("iphdr_like", 8, {{"x", i, 0}, {"y", i, 32}});
      base_missing = base.structure("only_here", 4, {{"x", i, 0}});
      base_enum = base.enumeration("mode", 4, {{"M_A", 1}, {"M_B", 2}, {"M_OLD", 3}});
    }
    {
      const auto i = target.integer("int", 4, true), l = target.integer("long", 8, true);
      const auto u = target.integer("unsigned int", 4);
      const auto anon = target.union_of(nullptr, 8, {{"c", i, 0}, {"d", l, 0}});
      target.structure("sample", 32, {{"a", l, 0}, {"new_one", i, 64}, {"b", i, 96}, {nullptr, anon, 128},
                                      {"x", u, 192, 2}, {"f", u, 194, 3}});
      target.structure("iphdr_like", 8, {{"x", i, 0}, {"y", i, 32}});
      target.enumeration("mode", 4, {{"M_A", 1}, {"M_B", 5}, {"M_NEW", 4}});
    }
  }
};

TEST(Compare, FieldsMovedResizedRetypedAddedAndRemoved) {
  two_sides s;
  type_comparer comparer(s.base.get(), s.target.get());
  const type_comparison c = comparer.compare(s.base_sample);
  EXPECT_EQ(c.title, "struct sample");
  ASSERT_NE(c.target_id, 0u);
  EXPECT_FALSE(c.same());
  EXPECT_EQ(c.fields, 6u);  // a, b, c, d, f, gone
  std::map<std::string, const bpfkit::inspect::field_change *> by_name;
  for (const auto &f : c.changes) by_name[f.field] = &f;
  ASSERT_EQ(by_name.size(), 8u);  // a, b, c, d, f, gone, new_one, x
  EXPECT_TRUE(by_name["a"]->size && by_name["a"]->type && !by_name["a"]->offset);
  EXPECT_TRUE(by_name["b"]->offset && !by_name["b"]->size);
  EXPECT_TRUE(by_name["c"]->offset);  // through the anonymous union
  EXPECT_TRUE(by_name["f"]->offset && !by_name["f"]->size);
  EXPECT_FALSE(by_name["gone"]->target);
  EXPECT_FALSE(by_name["new_one"]->baseline);
  EXPECT_FALSE(by_name["x"]->baseline);

  comparison_report report{"base.btf", "target.btf", {c}, {}};
  report.reads[{s.base_sample, "b"}] = {"prog.bpf.c:12"};
  const std::string text = comparison_text(report);
  EXPECT_NE(text.find("struct sample: 6 of 6 fields differ, 2 only on target.btf (1 read through CO-RE: 'bpfkit core' shows how they resolve)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    a        size 4 -> 8, type int -> long\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    b        offset 4 -> 12  <- CO-RE read at prog.bpf.c:12\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    f        offset 16:0 -> 24:2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    gone     missing on target.btf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    new_one  only on target.btf (offset 8, size 4)\n"), std::string::npos) << text;
}

TEST(Compare, SameLayoutMissingTypeAndEnums) {
  two_sides s;
  type_comparer comparer(s.base.get(), s.target.get());
  EXPECT_TRUE(comparer.compare(s.base_same).same());
  const type_comparison missing = comparer.compare(s.base_missing);
  EXPECT_EQ(missing.target_id, 0u);
  const type_comparison mode = comparer.compare(s.base_enum);
  EXPECT_TRUE(mode.enumeration);
  comparison_report report{"base.btf", "target.btf", {comparer.compare(s.base_same), missing, mode}, {}};
  const std::string text = comparison_text(report);
  EXPECT_NE(text.find("base.btf compared with target.btf: 3 types, 1 differ, 1 missing\n"), std::string::npos) << text;
  EXPECT_NE(text.find("struct only_here: missing on target.btf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("enum mode: 2 of 3 values differ, 1 only on target.btf\n"
                      "    M_B    value 2 -> 5\n"
                      "    M_OLD  = 3, missing on target.btf\n"
                      "    M_NEW  only on target.btf (= 4)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("same layout on target.btf: struct iphdr_like\n"), std::string::npos) << text;
}

TEST(Compare, FlavoredNamesFindTheirType) {
  builder base, target;
  const auto i = base.integer("int", 4, true);
  const auto flavor = base.structure("iphdr_like___v1", 8, {{"x", i, 0}});
  const auto ti = target.integer("int", 4, true);
  target.structure("iphdr_like", 8, {{"x", ti, 32}});
  type_comparer comparer(base.get(), target.get());
  const type_comparison c = comparer.compare(flavor);
  EXPECT_EQ(c.target_title, "struct iphdr_like");
  ASSERT_EQ(c.changes.size(), 1u);
  EXPECT_TRUE(c.changes[0].offset);
}

}  // namespace
