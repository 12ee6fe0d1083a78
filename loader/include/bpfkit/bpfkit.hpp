// bpfkit's runtime library: open, load, test-run and attach BPF objects and
// read their maps, with RAII over libbpf. Link bpfkit::bpfkit.
#pragma once

#include "bpfkit/error.hpp"
#include "bpfkit/hash_map.hpp"
#include "bpfkit/link.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/netns.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/percpu_map.hpp"
#include "bpfkit/perf_event_array.hpp"
#include "bpfkit/program.hpp"
#include "bpfkit/queue_map.hpp"
#include "bpfkit/ring_buffer.hpp"
#include "bpfkit/stack_map.hpp"
#include "bpfkit/test_run.hpp"
