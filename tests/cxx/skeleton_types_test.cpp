// The skeleton of a C++ object is as typed as the skeleton of the same
// program compiled as C (bpf/typed.h): the same map classes over the same
// key and value layouts, the same typed globals, programs and ring buffer
// events. Checked at compile time, member by member.
#include <cstddef>
#include <type_traits>

#include <gtest/gtest.h>

#include "typed_c.skel.hpp"
#include "typed_cxx.skel.hpp"

namespace {

// Same size, and the same type at the same offset for each member.
#define SAME_MEMBER(type, member)                                                          \
  static_assert(std::is_same_v<decltype(typed_c::type::member),                            \
                               decltype(typed_cxx::type::member)> ||                       \
                    std::is_same_v<decltype(typed_c::type::member),                        \
                                   std::remove_cvref_t<decltype(typed_cxx::type::member)>>, \
                #type "::" #member " has another type");                                   \
  static_assert(offsetof(typed_c::type, member) == offsetof(typed_cxx::type, member),      \
                #type "::" #member " is elsewhere")

static_assert(sizeof(typed_c::types::flow_key) == sizeof(typed_cxx::types::flow_key));
SAME_MEMBER(types::flow_key, saddr);
SAME_MEMBER(types::flow_key, daddr);
SAME_MEMBER(types::flow_key, port);
SAME_MEMBER(types::flow_key, protocol);
static_assert(sizeof(typed_c::types::flow_totals) == sizeof(typed_cxx::types::flow_totals));
SAME_MEMBER(types::flow_totals, packets);
SAME_MEMBER(types::flow_totals, bytes);
static_assert(sizeof(typed_c::types::event) == sizeof(typed_cxx::types::event));
SAME_MEMBER(types::event, pid);
SAME_MEMBER(types::event, when);
static_assert(offsetof(typed_c::types::event, flow) == offsetof(typed_cxx::types::event, flow));

// Maps: the same class template, over each object's own types.
using c_maps = typed_c::skeleton::maps_t;
using cxx_maps = typed_cxx::skeleton::maps_t;
static_assert(std::is_same_v<decltype(c_maps::flows),
                             bpfkit::hash_map<typed_c::types::flow_key, typed_c::types::flow_totals>>);
static_assert(std::is_same_v<decltype(cxx_maps::flows),
                             bpfkit::hash_map<typed_cxx::types::flow_key,
                                              typed_cxx::types::flow_totals>>);
static_assert(std::is_same_v<decltype(c_maps::per_cpu), decltype(cxx_maps::per_cpu)>);
static_assert(std::is_same_v<decltype(c_maps::events), bpfkit::ring_buffer<typed_c::types::event>>);
static_assert(std::is_same_v<decltype(cxx_maps::events), bpfkit::ring_buffer<typed_cxx::types::event>>);

// Globals: the same sections, members and types.
SAME_MEMBER(rodata_t, threshold);
SAME_MEMBER(bss_t, packets);
static_assert(sizeof(typed_c::rodata_t) == sizeof(typed_cxx::rodata_t));
static_assert(sizeof(typed_c::bss_t) == sizeof(typed_cxx::bss_t));
static_assert(sizeof(typed_c::data_t) == sizeof(typed_cxx::data_t));
static_assert(std::is_same_v<decltype(typed_c::data_t::last_flow), typed_c::types::flow_key>);
static_assert(std::is_same_v<decltype(typed_cxx::data_t::last_flow), typed_cxx::types::flow_key>);

// Programs: the C++ program has its plain name.
static_assert(std::is_same_v<decltype(typed_cxx::skeleton::progs_t::count), bpfkit::program>);

TEST(skeleton, IsAsTypedAsTheCOne) {
  // The static_asserts above are the test; at run time, the initial values
  // the two objects embed agree too.
  auto c = typed_c::skeleton::open();
  auto cxx = typed_cxx::skeleton::open();
  EXPECT_EQ(c.rodata->threshold, cxx.rodata->threshold);
  EXPECT_EQ(c.data->last_flow.port, cxx.data->last_flow.port);
  EXPECT_EQ(cxx.data->last_flow.version, 6u);
  EXPECT_EQ(cxx.progs.count.name(), "count");
}

}  // namespace
