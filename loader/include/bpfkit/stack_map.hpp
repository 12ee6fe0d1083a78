// bpfkit::stack_map<V>: a BPF_MAP_TYPE_STACK, last in first out.
#pragma once

#include "bpfkit/detail/keyless_map.hpp"

namespace bpfkit {

// push(const V&), pop() -> std::optional<V> (newest first), peek(). The
// constructor throws bpfkit::error unless the map is a stack of sizeof(V) values.
template <class V>
class stack_map : public detail::keyless_map<V, detail::map_kind::stack> {
 public:
  using detail::keyless_map<V, detail::map_kind::stack>::keyless_map;
};

}  // namespace bpfkit
