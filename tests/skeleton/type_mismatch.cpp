// Must NOT compile (skeleton.type_mismatch.*): the flows map's key is
// struct flow_key, so a std::uint64_t key is a compile error that names both.
#include "skel_layout.skel.hpp"

void wrong_key(skel_layout::skeleton& skel) {
  skel.maps.flows.update(std::uint64_t{1}, skel_layout::types::stats{});
}
