// Everything a generated skeleton (<name>.skel.hpp) can be written against:
// the runtime's object, programs, links and every typed map, and nothing
// heavier. A generated header includes only the parts its object uses (the
// typed maps of its own map kinds), so that a translation unit including a
// skeleton compiles nearly as fast as one including the standard headers
// alone. The mechanics (opening the
// embedded object, mapping the data sections, checking the C++ types of the
// maps, attaching) are in the runtime library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "bpfkit/error.hpp"
#include "bpfkit/hash_map.hpp"
#include "bpfkit/link.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/percpu_map.hpp"
#include "bpfkit/perf_event_array.hpp"
#include "bpfkit/program.hpp"
#include "bpfkit/queue_map.hpp"
#include "bpfkit/ring_buffer.hpp"
#include "bpfkit/stack_map.hpp"
#include "bpfkit/stack_trace_map.hpp"
