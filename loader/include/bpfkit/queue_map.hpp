// bpfkit::queue_map<V>: a BPF_MAP_TYPE_QUEUE, first in first out.
#pragma once

#include "bpfkit/detail/keyless_map.hpp"

namespace bpfkit {

// push(const V&), pop() -> std::optional<V> (oldest first), peek(). The
// constructor throws bpfkit::error unless the map is a queue of sizeof(V) values.
template <class V>
class queue_map : public detail::keyless_map<V, detail::map_kind::queue> {
 public:
  using detail::keyless_map<V, detail::map_kind::queue>::keyless_map;
};

}  // namespace bpfkit
