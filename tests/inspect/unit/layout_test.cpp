// inspect.unit.Layout*: pahole-style layouts of BTF types.
#include <gtest/gtest.h>

#include "bpfkit/inspect/layout.hpp"
#include "btf_builder.hpp"

namespace {

using bpfkit::inspect::c_declarations;
using bpfkit::inspect::lay_out;
using bpfkit::inspect::layout_entry;
using bpfkit::inspect::layout_text;
using bpfkit::inspect::type_layout;
using inspect_test::builder;

TEST(Layout, HoleBetweenFieldsAndPaddingAtTheEnd) {
  builder b;
  const auto u8 = b.integer("__u8", 1), u32 = b.integer("__u32", 4), u64 = b.integer("__u64", 8);
  // struct event { __u32 pid; __u64 ts; __u8 flag; }: 4-byte hole, 7 bytes of padding.
  const auto event = b.structure("event", 24, {{"pid", u32, 0}, {"ts", u64, 64}, {"flag", u8, 128}});
  c_declarations c(b.get());
  const type_layout l = lay_out(b.get(), event, c);
  ASSERT_EQ(l.what, type_layout::kind::record);
  ASSERT_EQ(l.entries.size(), 5u);
  EXPECT_EQ(l.entries[1].what, layout_entry::kind::hole);
  EXPECT_EQ(l.entries[1].bit_offset, 32u);
  EXPECT_EQ(l.entries[1].bits, 32u);
  EXPECT_EQ(l.entries[4].what, layout_entry::kind::padding);
  EXPECT_EQ(l.entries[4].bits, 56u);
  EXPECT_EQ(l.members, 3u);
  EXPECT_EQ(l.holes, 1u);
  EXPECT_EQ(l.padding_bits, 56u);
  EXPECT_EQ(layout_text(l),
            "struct event {\n"
            "    __u32 pid;  /*      0      4 */\n"
            "    /* XXX 4 bytes hole */\n"
            "    __u64 ts;   /*      8      8 */\n"
            "    __u8 flag;  /*     16      1 */\n"
            "    /* XXX 7 bytes of padding */\n"
            "};  /* size: 24, members: 3, holes: 1 (4 bytes), padding: 7 bytes */\n");
}

TEST(Layout, BitfieldsWithBitOffsetsAndBitHoles) {
  builder b;
  const auto u8 = b.integer("__u8", 1), u16 = b.integer("__u16", 2), uint = b.integer("unsigned int", 4);
  // struct bits { __u8 kind:3; __u8 urgent:1; __u16 mss; unsigned int a:5; unsigned int b:20; }
  const auto bits = b.structure("bits", 8,
                                {{"kind", u8, 0, 3}, {"urgent", u8, 3, 1}, {"mss", u16, 16},
                                 {"a", uint, 32, 5}, {"b", uint, 40, 20}});
  c_declarations c(b.get());
  const std::string text = layout_text(lay_out(b.get(), bits, c));
  EXPECT_NE(text.find("    __u8 kind:3;        /*    0:0 3 bits */\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    __u8 urgent:1;      /*    0:3  1 bit */\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    /* XXX 1 byte 4 bits hole */\n    __u16 mss;"), std::string::npos) << text;
  EXPECT_NE(text.find("    unsigned int a:5;   /*    4:0 5 bits */\n"
                      "    /* XXX 3 bits hole */\n"
                      "    unsigned int b:20;  /*    5:0 20 bits */\n"
                      "    /* XXX 4 bits of padding */\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("holes: 2 (1 byte 7 bits), padding: 4 bits */"), std::string::npos) << text;
}

TEST(Layout, AnonymousMembersInPlaceWithAbsoluteOffsets) {
  builder b;
  const auto u8 = b.integer("__u8", 1), u16 = b.integer("__u16", 2), u32 = b.integer("__u32", 4);
  const auto v6 = b.array(u8, 16);
  const auto addr = b.union_of(nullptr, 16, {{"v4", u32, 0}, {"v6", v6, 0}});
  const auto pair = b.structure(nullptr, 4, {{"lo", u16, 0}, {"hi", u16, 16}});
  // struct endpoint { __u16 family; union { __u32 v4; __u8 v6[16]; }; struct { __u16 lo, hi; } ports; }
  const auto endpoint = b.structure("endpoint", 24, {{"family", u16, 0}, {nullptr, addr, 32}, {"ports", pair, 160}});
  c_declarations c(b.get());
  const type_layout l = lay_out(b.get(), endpoint, c);
  const std::string text = layout_text(l);
  EXPECT_EQ(text,
            "struct endpoint {\n"
            "    __u16 family;     /*      0      2 */\n"
            "    /* XXX 2 bytes hole */\n"
            "    union {\n"
            "        __u32 v4;     /*      4      4 */\n"
            "        __u8 v6[16];  /*      4     16 */\n"
            "    };                /*      4     16 */\n"
            "    struct {\n"
            "        __u16 lo;     /*     20      2 */\n"
            "        __u16 hi;     /*     22      2 */\n"
            "    } ports;          /*     20      4 */\n"
            "};  /* size: 24, members: 6, holes: 1 (2 bytes) */\n");
}

TEST(Layout, EnumWithSignedValues) {
  builder b;
  const auto state = b.enumeration("flow_state", 4, {{"FLOW_NEW", 0}, {"FLOW_CLOSED", 7}, {"FLOW_ERROR", -1}});
  c_declarations c(b.get());
  const type_layout l = lay_out(b.get(), state, c);
  EXPECT_EQ(layout_text(l),
            "enum flow_state {\n"
            "    FLOW_NEW = 0,\n"
            "    FLOW_CLOSED = 7,\n"
            "    FLOW_ERROR = -1,\n"
            "};  /* size: 4, signed, 3 values */\n");
}

TEST(Layout, TypedefOfAnAnonymousStructShowsItsBody) {
  builder b;
  const auto u32 = b.integer("__u32", 4);
  const auto body = b.structure(nullptr, 8, {{"a", u32, 0}});
  const auto name = b.typedef_of("pair_t", body);
  c_declarations c(b.get());
  EXPECT_EQ(layout_text(lay_out(b.get(), name, c)),
            "typedef struct {\n"
            "    __u32 a;  /*      0      4 */\n"
            "    /* XXX 4 bytes of padding */\n"
            "} pair_t;  /* size: 8, members: 1, padding: 4 bytes */\n");
  EXPECT_EQ(layout_text(lay_out(b.get(), b.typedef_of("u32_alias", u32), c)), "typedef __u32 u32_alias;\n");
}

TEST(Layout, GlobalSectionLikeAStruct) {
  builder b;
  const auto u8 = b.integer("__u8", 1), u64 = b.integer("__u64", 8);
  const auto flag = btf__add_var(b.get(), "flag", BTF_VAR_GLOBAL_ALLOCATED, u8);
  const auto counter = btf__add_var(b.get(), "counter", BTF_VAR_GLOBAL_ALLOCATED, u64);
  const auto section = btf__add_datasec(b.get(), ".bss", 16);
  ASSERT_GT(section, 0);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), flag, 0, 1), 0);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), counter, 8, 8), 0);
  c_declarations c(b.get());
  EXPECT_EQ(layout_text(lay_out(b.get(), static_cast<std::uint32_t>(section), c)),
            "SEC(\".bss\") {\n"
            "    __u8 flag;      /*      0      1 */\n"
            "    /* XXX 7 bytes hole */\n"
            "    __u64 counter;  /*      8      8 */\n"
            "};  /* size: 16, variables: 2, holes: 1 (7 bytes) */\n");
}

TEST(Layout, DeclarationsAsC) {
  builder b;
  const auto chr = b.integer("char", 1, true);
  const auto task = b.forward("task_struct");
  c_declarations c(b.get());
  EXPECT_EQ(c.declare(b.array(chr, 16), "comm"), "char comm[16]");
  EXPECT_EQ(c.declare(b.pointer(task), "parent"), "struct task_struct *parent");
  EXPECT_EQ(c.declare(b.constant(chr)), "const char");
}

}  // namespace
