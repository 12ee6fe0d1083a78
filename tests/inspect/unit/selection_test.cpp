// inspect.unit.Selection* and CoreModules*: which types `bpfkit btf` shows,
// and where CO-RE looks for candidates.
#include <gtest/gtest.h>

#include "bpfkit/inspect/core.hpp"
#include "bpfkit/inspect/type_selection.hpp"
#include "btf_builder.hpp"

namespace {

using namespace bpfkit::inspect;
using inspect_test::builder;

TEST(Selection, FindTypesByNameWithOrWithoutKind) {
  builder b;
  const auto u32 = b.integer("unsigned int", 4);
  const auto s = b.structure("flow", 4, {{"x", u32, 0}});
  const auto e = b.enumeration("flow", 4, {{"A", 1}});
  const auto t = b.typedef_of("flow_t", s);
  EXPECT_EQ(find_types(b.get(), "flow"), (std::vector<std::uint32_t>{s, e}));
  EXPECT_EQ(find_types(b.get(), "struct flow"), (std::vector<std::uint32_t>{s}));
  EXPECT_EQ(find_types(b.get(), "enum flow"), (std::vector<std::uint32_t>{e}));
  EXPECT_EQ(find_types(b.get(), "flow_t"), (std::vector<std::uint32_t>{t}));
  EXPECT_EQ(find_types(b.get(), "union flow"), (std::vector<std::uint32_t>{}));
  // A forward declaration only when there is no definition.
  const auto fwd = b.forward("opaque");
  EXPECT_EQ(find_types(b.get(), "opaque"), (std::vector<std::uint32_t>{fwd}));
  b.forward("flow");
  EXPECT_EQ(find_types(b.get(), "struct flow"), (std::vector<std::uint32_t>{s}));
}

TEST(Selection, SimilarNamesForTypos) {
  builder b;
  const auto u32 = b.integer("unsigned int", 4);
  b.structure("task_struct", 4, {{"pid", u32, 0}});
  b.structure("tss_struct", 4, {{"x", u32, 0}});
  b.structure("sk_buff", 4, {{"len", u32, 0}});
  EXPECT_EQ(similar_type_names(b.get(), "task_strct"),
            (std::vector<std::string>{"struct task_struct", "struct tss_struct"}));
  EXPECT_EQ(similar_type_names(b.get(), "buff"), (std::vector<std::string>{"struct sk_buff"}));
  EXPECT_TRUE(similar_type_names(b.get(), "zzzzzzzz").empty());
}

TEST(Selection, ReachableByValueNotThroughPointers) {
  builder b;
  const auto u32 = b.integer("unsigned int", 4);
  const auto inner = b.structure("inner", 4, {{"x", u32, 0}});
  const auto elsewhere = b.structure("elsewhere", 4, {{"y", u32, 0}});
  const auto state = b.enumeration("state", 4, {{"S", 0}});
  const auto anon = b.structure(nullptr, 4, {{"z", state, 0}});
  const auto arr = b.array(inner, 2);
  const auto ptr = b.pointer(elsewhere);
  const auto outer =
      b.structure("outer", 32, {{"a", arr, 0}, {"p", ptr, 64}, {nullptr, anon, 128}, {"i", inner, 160}});
  const auto alias = b.typedef_of("outer_t", outer);
  EXPECT_EQ(types_reachable(b.get(), {alias}), (std::vector<std::uint32_t>{outer, inner, state}));
}

TEST(Selection, MapsGlobalsAndProgramContextsOfAnObject) {
  builder b;
  const auto u32 = b.integer("unsigned int", 4), integer = b.integer("int", 4, true);
  const auto key = b.structure("flow_key", 4, {{"ip", u32, 0}});
  const auto ctx = b.structure("xdp_md", 4, {{"data", u32, 0}});
  // struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct flow_key); __type(value, __u32); } flows SEC(".maps");
  const auto type_array = b.array(integer, 1 /* BPF_MAP_TYPE_HASH */);
  const auto def = b.structure(nullptr, 24, {{"type", b.pointer(type_array), 0}, {"key", b.pointer(key), 64},
                                             {"value", b.pointer(u32), 128}});
  const auto map = btf__add_var(b.get(), "flows", BTF_VAR_GLOBAL_ALLOCATED, def);
  ASSERT_GT(btf__add_datasec(b.get(), ".maps", 24), 0);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), map, 0, 24), 0);
  const auto counter = btf__add_var(b.get(), "counter", BTF_VAR_GLOBAL_ALLOCATED, u32);
  const auto bss = btf__add_datasec(b.get(), ".bss", 4);
  ASSERT_EQ(btf__add_datasec_var_info(b.get(), counter, 0, 4), 0);
  const auto ctx_ptr = b.pointer(ctx);
  const auto proto = btf__add_func_proto(b.get(), integer);  // its parameters follow it
  ASSERT_EQ(btf__add_func_param(b.get(), "ctx", ctx_ptr), 0);
  ASSERT_GT(btf__add_func(b.get(), "count", BTF_FUNC_GLOBAL, proto), 0);

  const object_roots roots = find_roots(b.get(), {"count"});
  ASSERT_EQ(roots.maps.size(), 1u);
  EXPECT_EQ(roots.maps[0].name, "flows");
  EXPECT_EQ(roots.maps[0].type, "hash");
  EXPECT_EQ(roots.maps[0].key, key);
  EXPECT_EQ(roots.maps[0].value, u32);
  EXPECT_EQ(roots.sections, (std::vector<std::uint32_t>{static_cast<std::uint32_t>(bss)}));
  ASSERT_EQ(roots.contexts.size(), 1u);
  EXPECT_EQ(roots.contexts[0].program, "count");
  EXPECT_EQ(roots.contexts[0].type, ctx);
}

// CO-RE candidates come from module BTF only when vmlinux has none, as in
// libbpf, and a relocation resolved there names the module.
TEST(CoreModules, CandidatesFromModulesOnlyWhenVmlinuxHasNone) {
  builder local;
  const auto li = local.integer("int", 4, true);
  const auto conn = local.structure("nf_conn", 8, {{"mark", li, 0}});
  const auto task = local.structure("task_struct", 4, {{"pid", li, 0}});

  builder vmlinux;
  const auto vi = vmlinux.integer("int", 4, true);
  vmlinux.structure("task_struct", 8, {{"pad", vi, 0}, {"pid", vi, 32}});
  btf *module = btf__new_empty_split(vmlinux.get());
  ASSERT_NE(module, nullptr);
  ASSERT_GT(btf__add_struct(module, "nf_conn", 16), 0);
  ASSERT_EQ(btf__add_field(module, "pad", vi, 0, 0), 0);
  ASSERT_EQ(btf__add_field(module, "mark", vi, 64, 0), 0);
  std::vector<module_btf> modules;
  modules.push_back({"nf_conntrack", owned_btf(module)});
  int module_reads = 0;
  core_target target{vmlinux.get(), "vmlinux", [&]() -> const std::vector<module_btf> & {
                       ++module_reads;
                       return modules;
                     }};
  core_resolver resolver(local.get(), target);
  auto d = resolver.resolve({"kprobe/x", 0, task, "0:0", BPF_CORE_FIELD_BYTE_OFFSET});
  EXPECT_EQ(d.target_value, 4u);
  EXPECT_EQ(module_reads, 0) << "vmlinux had the candidate: modules must not be read";
  d = resolver.resolve({"kprobe/x", 0, conn, "0:0", BPF_CORE_FIELD_BYTE_OFFSET});
  EXPECT_EQ(d.what, core_decision::outcome::value);
  EXPECT_EQ(d.target_value, 8u);
  EXPECT_NE(d.target_type.find("in module nf_conntrack"), std::string::npos) << d.target_type;

  // Without modules (a BTF file as the target) the same relocation finds nothing.
  core_resolver file_only(local.get(), core_target{vmlinux.get(), "vmlinux.btf", {}});
  d = file_only.resolve({"kprobe/x", 0, conn, "0:0", BPF_CORE_FIELD_BYTE_OFFSET});
  EXPECT_EQ(d.what, core_decision::outcome::poison);
  EXPECT_EQ(d.reason, "no struct named 'nf_conn' in vmlinux.btf");
}

}  // namespace
