// Compile-time checks of skel_layout.skel.hpp: the names, renames and map types
// the generator promises. Compiled into skeleton_layout_test and, by
// skeleton.compiles.{gcc,clang}, alone with -Wall -Wextra -Werror.
#include "skel_layout.skel.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace layout = skel_layout;

namespace layout_checks {

using namespace layout;
using maps_t = skeleton::maps_t;

template <class A, class B>
inline constexpr bool same = std::is_same_v<A, B>;

// Maps: the class the BPF map type picks, with the BTF key and value types.
static_assert(same<decltype(maps_t::flows), bpfkit::hash_map<types::flow_key, types::stats>>);
static_assert(same<decltype(maps_t::delete_), bpfkit::hash_map<types::__u32, types::packed_rec>>);
static_assert(same<decltype(maps_t::raw),
                   bpfkit::hash_map<std::array<std::uint8_t, 4>, std::array<std::uint8_t, 12>>>);
static_assert(same<decltype(maps_t::percpu), bpfkit::percpu_map<types::__u32, types::anon_typedef_t>>);
static_assert(same<decltype(maps_t::queue), bpfkit::queue_map<types::__u32>>);
static_assert(same<decltype(maps_t::anon_key), bpfkit::hash_map<types::anon_key_key_t, types::__u64>>);
static_assert(same<decltype(maps_t::names), bpfkit::hash_map<types::__u32, std::array<char, 16>>>);
static_assert(same<decltype(maps_t::events), bpfkit::ring_buffer<types::event>>);
static_assert(same<decltype(maps_t::raw_events), bpfkit::ring_buffer<std::span<const std::byte>>>);
static_assert(same<decltype(skeleton::progs_t::classify), bpfkit::program>);
static_assert(same<decltype(skeleton::links_t::count_syscalls), bpfkit::link>);

// Typedef chains end in fixed-width integers.
static_assert(same<types::flow_id_t, std::uint32_t>);
static_assert(same<types::__u64, std::uint64_t>);

// Enums: scoped, with the BTF size and signedness.
static_assert(same<std::underlying_type_t<types::color>, std::uint32_t>);
static_assert(same<std::underlying_type_t<types::level>, std::uint8_t>);
static_assert(same<std::underlying_type_t<types::sign>, std::int32_t>);
static_assert(static_cast<int>(types::sign::SIGN_NEGATIVE) == -5);
static_assert(static_cast<int>(types::level::LEVEL_HIGH) == 200);

// C++ keywords and clashing names, renamed by the documented rules.
static_assert(same<decltype(types::stats::meta_t::class_), types::__u32>);
static_assert(same<decltype(types::stats::meta_t::new_), types::__u32>);
static_assert(same<decltype(data_custom_t::this_), types::__u32>);
static_assert(same<decltype(types::stats::clash_struct), types::clash>);
static_assert(same<types::clash_typedef, std::uint16_t>);

// Anonymous types: named after their use or their typedef, members reachable.
static_assert(same<decltype(rodata_t::cfg_pair), types::cfg_pair_t>);
static_assert(offsetof(types::stats, hi) == offsetof(types::stats, as_u32) + 2);

// BPF pointers are 64-bit integers whatever the host.
static_assert(same<decltype(types::stats::ptr), std::uint64_t>);
static_assert(same<types::flow_key_ptr, std::uint64_t>);

// Enum bit-fields are declared as the enum's integer type; typedef'd arrays
// stay arrays inside types; names that are macros are renamed.
static_assert(same<decltype(types::flags_rec::c), std::uint32_t>);
static_assert(same<decltype(types::flags_rec::s), std::int32_t>);
static_assert(same<types::name_t, char[16]>);
static_assert(same<decltype(types::flags_rec::errno_), std::int32_t>);

// Section pointers exist for the sections the object has.
static_assert(same<decltype(skeleton::rodata), rodata_t*>);
static_assert(same<decltype(skeleton::data), data_t*>);
static_assert(same<decltype(skeleton::bss), bss_t*>);
static_assert(same<decltype(skeleton::data_custom), data_custom_t*>);

// The skeleton is move-only.
static_assert(std::is_nothrow_move_constructible_v<skeleton>);
static_assert(std::is_nothrow_move_assignable_v<skeleton>);
static_assert(!std::is_copy_constructible_v<skeleton>);
static_assert(!std::is_copy_assignable_v<skeleton>);

// Everything the skeleton offers, instantiated (not run).
[[maybe_unused]] void use_everything() {
  skeleton skel = skeleton::open_and_load();
  skel.attach();
  skel.detach();
  types::flow_key key{};
  std::optional<types::stats> stats = skel.maps.flows.lookup(key);
  skel.maps.flows.update(key, stats.value_or(types::stats{}));
  skel.maps.flows.erase(key);
  for (auto [k, v] : skel.maps.flows) (void)k, (void)v;
  std::optional<std::vector<types::anon_typedef_t>> per_cpu = skel.maps.percpu.lookup(0);
  (void)per_cpu;
  skel.maps.queue.push(1);
  skel.maps.events.consume([](const types::event&) {});
  (void)skel.progs.classify.test_run({});
}

}  // namespace layout_checks
