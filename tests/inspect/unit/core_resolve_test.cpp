// inspect.unit.CoreResolve*: CO-RE relocations resolved as libbpf's
// relo_core.c resolves them, with the reason for every failure.
#include <gtest/gtest.h>

#include "bpfkit/inspect/core.hpp"
#include "btf_builder.hpp"

namespace {

using bpfkit::inspect::accessed_fields;
using bpfkit::inspect::core_decision;
using bpfkit::inspect::core_record;
using bpfkit::inspect::core_resolver;
using bpfkit::inspect::core_target;
using bpfkit::inspect::describe_access;
using bpfkit::inspect::is_poisoned;
using bpfkit::inspect::patch_instruction;
using inspect_test::builder;
using outcome = core_decision::outcome;

// The local (object) side: what a BPF program compiled against.
//   struct task_struct { int pid; struct task_struct *parent; char comm[16];
//                        union { int a; long b; }; unsigned flags:3, bits:5; };   (40 bytes)
//   struct task_struct___old { int state; };
//   enum kind { K_ONE = 1, K_TWO = 2 };
struct local_types {
  builder b;
  std::uint32_t integer, chr, ulong, uint, task, task_ptr, old, kind, comm;
  local_types() {
    integer = b.integer("int", 4, true);
    chr = b.integer("char", 1, true);
    ulong = b.integer("long", 8, true);
    uint = b.integer("unsigned int", 4);
    comm = b.array(chr, 16);
    const auto anon = b.union_of(nullptr, 8, {{"a", integer, 0}, {"b", ulong, 0}});
    // The struct's fields follow it; its pointer to itself comes first.
    task_ptr = b.pointer(btf__type_cnt(b.get()) + 1);
    task = b.structure("task_struct", 40,
                       {{"pid", integer, 0}, {"parent", task_ptr, 64}, {"comm", comm, 128}, {nullptr, anon, 256},
                        {"flags", uint, 320, 3}, {"bits", uint, 323, 5}});
    EXPECT_EQ(btf__type_by_id(b.get(), task_ptr)->type, task);
    old = b.structure("task_struct___old", 4, {{"state", integer, 0}});
    kind = b.enumeration("kind", 4, {{"K_ONE", 1}, {"K_TWO", 2}});
  }
};

// The target kernel: fields moved, `state` gone, `comm` shorter, an enum
// value renumbered.
//   struct task_struct { long pad; char comm[8]; int pid; struct task_struct *parent;
//                        union { int a; long b; }; unsigned pad2:7, flags:3, bits:5; };
struct target_types {
  builder b;
  std::uint32_t task, kind;
  target_types() {
    const auto integer = b.integer("int", 4, true), chr = b.integer("char", 1, true);
    const auto ulong = b.integer("long", 8, true), uint = b.integer("unsigned int", 4);
    const auto comm = b.array(chr, 8);
    const auto anon = b.union_of(nullptr, 8, {{"a", integer, 0}, {"b", ulong, 0}});
    const auto task_ptr = b.pointer(btf__type_cnt(b.get()) + 1);
    task = b.structure("task_struct", 48,
                       {{"pad", ulong, 0}, {"comm", comm, 64}, {"pid", integer, 128}, {"parent", task_ptr, 192},
                        {nullptr, anon, 256}, {"pad2", uint, 320, 7}, {"flags", uint, 327, 3}, {"bits", uint, 330, 5}});
    kind = b.enumeration("kind", 4, {{"K_TWO", 20}, {"K_ONE", 10}});
  }
};

core_record field(std::uint32_t type, const char *access, bpf_core_relo_kind kind = BPF_CORE_FIELD_BYTE_OFFSET) {
  return {"tp/x", 0, type, access, kind};
}

class CoreResolve : public ::testing::Test {
 protected:
  core_decision resolve(const core_record &r) {
    core_resolver resolver(local.b.get(), core_target{target.b.get(), "target.btf", {}});
    return resolver.resolve(r);
  }
  local_types local;
  target_types target;
};

TEST_F(CoreResolve, FieldOffsetMovesWithTheTarget) {
  const auto d = resolve(field(local.task, "0:0"));  // task_struct.pid
  EXPECT_EQ(d.what, outcome::value);
  EXPECT_EQ(d.local_value, 0u);
  EXPECT_EQ(d.target_value, 16u);
  EXPECT_EQ(d.target_type, "struct task_struct [" + std::to_string(target.task) + "]");
  EXPECT_EQ(describe_access(local.b.get(), field(local.task, "0:0")), "task_struct.pid");
}

TEST_F(CoreResolve, FieldThroughAnAnonymousUnion) {
  const auto d = resolve(field(local.task, "0:3:1"));  // task_struct.b, inside the anonymous union
  EXPECT_EQ(d.what, outcome::value);
  EXPECT_EQ(d.local_value, 32u);
  EXPECT_EQ(d.target_value, 32u);
  EXPECT_EQ(describe_access(local.b.get(), field(local.task, "0:3:1")), "task_struct.b");
  const auto fields = accessed_fields(local.b.get(), field(local.task, "0:3:1"));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].holder, local.task);
  EXPECT_EQ(fields[0].field, "b");
}

TEST_F(CoreResolve, ArrayElementAndFieldSize) {
  EXPECT_EQ(describe_access(local.b.get(), field(local.task, "0:2:3")), "task_struct.comm[3]");
  auto d = resolve(field(local.task, "0:2:3"));
  EXPECT_EQ(d.what, outcome::value);
  EXPECT_EQ(d.local_value, 19u);
  EXPECT_EQ(d.target_value, 11u);
  d = resolve(field(local.task, "0:2", BPF_CORE_FIELD_BYTE_SIZE));
  EXPECT_EQ(d.local_value, 16u);
  EXPECT_EQ(d.target_value, 8u);
}

TEST_F(CoreResolve, ArrayIndexPastTheTargetsBound) {
  const auto d = resolve(field(local.task, "0:2:12"));  // comm[12]: the target's comm has 8
  EXPECT_EQ(d.what, outcome::poison);
  EXPECT_EQ(d.reason, "index 12 is out of bounds of task_struct.comm, which has 8 elements in the target");
}

TEST_F(CoreResolve, MissingFieldPoisonsOrSaysNo) {
  // task_struct___old.state: the flavor's essential name finds task_struct, which has no `state`.
  auto d = resolve(field(local.old, "0:0"));
  EXPECT_EQ(d.what, outcome::poison);
  EXPECT_EQ(d.reason, "struct task_struct has no field 'state'");
  d = resolve(field(local.old, "0:0", BPF_CORE_FIELD_EXISTS));
  EXPECT_EQ(d.what, outcome::value);
  EXPECT_EQ(d.local_value, 1u);
  EXPECT_EQ(d.target_value, 0u);
  EXPECT_EQ(d.reason, "struct task_struct has no field 'state'");
  EXPECT_EQ(describe_access(local.b.get(), field(local.old, "0:0")), "task_struct___old.state");
}

TEST_F(CoreResolve, NoCandidateType) {
  const auto mm = local.b.structure("mm_struct", 4, {{"users", local.integer, 0}});
  const auto d = resolve(field(mm, "0:0"));
  EXPECT_EQ(d.what, outcome::poison);
  EXPECT_EQ(d.reason, "no struct named 'mm_struct' in target.btf");
}

TEST_F(CoreResolve, IncompatibleFieldType) {
  // Locally `pid` of a flavor is a struct; in the target it is an int.
  const auto inner = local.b.structure("pid_wrapper", 4, {{"nr", local.integer, 0}});
  const auto flavor = local.b.structure("task_struct___wrapped", 4, {{"pid", inner, 0}});
  const auto d = resolve(field(flavor, "0:0"));
  EXPECT_EQ(d.what, outcome::poison);
  EXPECT_EQ(d.reason,
            "field 'pid' is struct pid_wrapper here but int in the target, which CO-RE does not relocate between");
}

TEST_F(CoreResolve, BitfieldShiftsAndSign) {
  // flags: local bits 320..322, target 327..329 (of a 4-byte unit at byte 40).
  EXPECT_EQ(resolve(field(local.task, "0:4")).target_value, 40u);  // byte offset of the unit
  auto d = resolve(field(local.task, "0:4", BPF_CORE_FIELD_LSHIFT_U64));
  EXPECT_EQ(d.local_value, 64u - 3u);
  EXPECT_EQ(d.target_value, 64u - 10u);
  d = resolve(field(local.task, "0:5", BPF_CORE_FIELD_RSHIFT_U64));
  EXPECT_EQ(d.target_value, 64u - 5u);
  d = resolve(field(local.task, "0:4", BPF_CORE_FIELD_SIGNED));
  EXPECT_EQ(d.target_value, 0u);
  d = resolve(field(local.task, "0:0", BPF_CORE_FIELD_SIGNED));
  EXPECT_EQ(d.target_value, 1u);
}

TEST_F(CoreResolve, EnumValues) {
  auto d = resolve({"tp/x", 0, local.kind, "0", BPF_CORE_ENUMVAL_VALUE});  // K_ONE
  EXPECT_EQ(d.what, outcome::value);
  EXPECT_EQ(d.local_value, 1u);
  EXPECT_EQ(d.target_value, 10u);
  EXPECT_EQ(describe_access(local.b.get(), {"tp/x", 0, local.kind, "0", BPF_CORE_ENUMVAL_VALUE}), "enum kind::K_ONE");
  const auto flavor = local.b.enumeration("kind___new", 4, {{"K_THREE", 3}});
  d = resolve({"tp/x", 0, flavor, "0", BPF_CORE_ENUMVAL_EXISTS});
  EXPECT_EQ(d.target_value, 0u);
  EXPECT_EQ(d.reason, "enum kind has no value K_THREE");
  d = resolve({"tp/x", 0, flavor, "0", BPF_CORE_ENUMVAL_VALUE});
  EXPECT_EQ(d.what, outcome::poison);
}

TEST_F(CoreResolve, TypeRelocations) {
  auto d = resolve({"tp/x", 0, local.task, "0", BPF_CORE_TYPE_EXISTS});
  EXPECT_EQ(d.target_value, 1u);
  d = resolve({"tp/x", 0, local.task, "0", BPF_CORE_TYPE_SIZE});
  EXPECT_EQ(d.local_value, 40u);
  EXPECT_EQ(d.target_value, 48u);
  d = resolve({"tp/x", 0, local.task, "0", BPF_CORE_TYPE_ID_TARGET});
  EXPECT_EQ(d.target_value, target.task);
  EXPECT_FALSE(d.validate);
  d = resolve({"tp/x", 0, local.task, "0", BPF_CORE_TYPE_ID_LOCAL});
  EXPECT_EQ(d.target_value, local.task);
  // TYPE_MATCHES: the local task_struct has fields the target lays out differently but all exist.
  d = resolve({"tp/x", 0, local.task, "0", BPF_CORE_TYPE_MATCHES});
  EXPECT_EQ(d.target_value, 0u) << "comm is char[16] here, char[8] there: array lengths must match";
  d = resolve({"tp/x", 0, local.old, "0", BPF_CORE_TYPE_MATCHES});
  EXPECT_EQ(d.target_value, 0u);
  EXPECT_NE(d.reason.find("does not match the local definition"), std::string::npos) << d.reason;
}

TEST_F(CoreResolve, AmbiguousCandidatesStopTheLoad) {
  // Two flavors of task_struct in the target that disagree about pid's offset.
  const auto integer = btf__find_by_name(target.b.get(), "int");
  target.b.structure("task_struct___2", 8, {{"pid", static_cast<std::uint32_t>(integer), 32}});
  const auto d = resolve(field(local.task, "0:0"));
  EXPECT_EQ(d.what, outcome::error);
  EXPECT_NE(d.reason.find("ambiguous candidates"), std::string::npos) << d.reason;
}

TEST_F(CoreResolve, MalformedAccessStringIsAnError) {
  const auto d = resolve(field(local.task, "0:9"));
  EXPECT_EQ(d.what, outcome::error);
  EXPECT_EQ(d.reason, "libbpf cannot parse the relocation: member 9 of struct task_struct does not exist");
}

TEST(CorePatch, InstructionsAsLibbpfPatchesThem) {
  core_decision d;
  d.what = outcome::value;
  d.local_value = 8;
  d.target_value = 24;
  bpf_insn add{BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 8};
  EXPECT_EQ(patch_instruction(&add, 1, d), "");
  EXPECT_EQ(add.imm, 24);

  bpf_insn load{BPF_LDX | BPF_MEM | BPF_W, 0, 1, 8, 0};
  d.local_size = d.target_size = 4;
  EXPECT_EQ(patch_instruction(&load, 1, d), "");
  EXPECT_EQ(load.off, 24);

  // A u32 field that became u64: the load widens.
  bpf_insn widen{BPF_LDX | BPF_MEM | BPF_W, 0, 1, 8, 0};
  d.target_size = 8;
  EXPECT_EQ(patch_instruction(&widen, 1, d), "");
  EXPECT_EQ(BPF_SIZE(widen.code), BPF_DW);

  // A signed field that changed size cannot be loaded correctly: poisoned.
  bpf_insn signed_load{BPF_LDX | BPF_MEM | BPF_W, 0, 1, 8, 0};
  core_decision s = d;
  s.size_adjust_fails = true;
  EXPECT_EQ(patch_instruction(&signed_load, 1, s), "");
  EXPECT_EQ(s.what, outcome::poison);
  EXPECT_TRUE(is_poisoned(signed_load));

  // The instruction does not hold what the local BTF says: libbpf refuses.
  bpf_insn wrong{BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 12};
  core_decision w = d;
  EXPECT_EQ(patch_instruction(&wrong, 1, w),
            "the instruction holds 12, not the expected 8 (the object's code and BTF disagree)");
  EXPECT_EQ(w.what, outcome::error);

  // 64-bit immediates: both halves.
  bpf_insn wide[2] = {{BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 8}, {0, 0, 0, 0, 0}};
  core_decision v = d;
  v.target_value = 0x100000002ull;
  EXPECT_EQ(patch_instruction(wide, 2, v), "");
  EXPECT_EQ(wide[0].imm, 2);
  EXPECT_EQ(wide[1].imm, 1);

  // A poison decision on a 64-bit load poisons both slots.
  bpf_insn poisoned[2] = {{BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 8}, {0, 0, 0, 0, 0}};
  core_decision p;
  p.what = outcome::poison;
  EXPECT_EQ(patch_instruction(poisoned, 2, p), "");
  EXPECT_TRUE(is_poisoned(poisoned[0]));
  EXPECT_TRUE(is_poisoned(poisoned[1]));
}

}  // namespace
