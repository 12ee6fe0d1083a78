// The runtime's internals behind the public views: the state an object owns,
// and the one door (detail::access) through which the library's own code
// makes views and reaches the libbpf objects behind them.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/link.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/program.hpp"
#include "attachment.hpp"
#include "object_source.hpp"
#include "run_record_hooks.hpp"

namespace bpfkit::detail {

// What a typed map made before load() expects its map to be at load().
struct map_expectation {
  ::bpf_map* map = nullptr;
  map_kind kind = map_kind::keyed;
  std::size_t key_size = 0;
  std::size_t value_size = 0;  // stack_trace: 0, any whole number of frames
};

struct object_state {
  std::string name;  // the file name up to its first '.', or open_memory's name
  object_ptr obj;
  object_source source;
  bool load_attempted = false;
  bool loaded = false;
  std::vector<map_expectation> expectations;
  // With coverage on (run_record): the instrumented copy. Last, so that it
  // goes (reading the counters) before the object closes.
  std::unique_ptr<coverage_state, coverage_state_deleter> coverage;
};



struct access {
  static program make_program(::bpf_program* prog) noexcept { return program(prog); }
  static map_handle make_map(object_state* owner, ::bpf_map* map) noexcept {
    return map_handle(owner, map);
  }
  static link make_link(std::unique_ptr<attachment> adopted) noexcept {
    return link(adopted.release());
  }
  static object make_object(std::unique_ptr<object_state> state) noexcept {
    return object(state.release());
  }

  static ::bpf_program* raw(const program& p) noexcept { return p.prog_; }
  static ::bpf_map* raw(const map_handle& m) noexcept { return m.map_; }
  static object_state* owner(const map_handle& m) noexcept { return m.owner_; }
  static object_state* state(const object& o) noexcept { return o.state_; }
  static attachment* raw(const link& l) noexcept { return l.attachment_; }
};

// "program 'count'", "map 'flows' (hash)": how messages name them.
std::string describe(const program& program);
std::string describe(const map_handle& map);

// Checks every expectation of a typed map against the map's final sizes;
// throws bpfkit::error naming the map, its sizes and the C++ type's.
void check_expectations(const object_state& state);

// Maps the object's mmap-able global data sections over libbpf's copy of
// their initial values, at the same address (what libbpf's own skeletons do
// after load), so pointers taken before load see the maps after it.
void map_sections(const object_state& state);

// A fresh copy of an object set up as `from` is (global data, map sizes,
// program types), for loading it again (loading.cpp).
void copy_settings(::bpf_object* from, ::bpf_object* to);
// bpf_prog_info.verified_insns of a loaded program; 0 when unknown.
std::uint32_t verified_insns_of(int fd);

}  // namespace bpfkit::detail
