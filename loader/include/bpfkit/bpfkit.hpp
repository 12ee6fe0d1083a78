// bpfkit's runtime library: open, load, test-run and attach BPF objects and
// read their maps, with RAII over libbpf. Link bpfkit::bpfkit.
//
// <bpfkit/libbpf.hpp> (not included here) reaches libbpf's own objects.
#pragma once

#include "bpfkit/error.hpp"
#include "bpfkit/hash_map.hpp"
#include "bpfkit/link.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/map_type.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/percpu_map.hpp"
#include "bpfkit/perf_event_array.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/program.hpp"
#include "bpfkit/program_type.hpp"
#include "bpfkit/queue_map.hpp"
#include "bpfkit/return_codes.hpp"
#include "bpfkit/ring_buffer.hpp"
#include "bpfkit/stack_map.hpp"
#include "bpfkit/stack_trace_map.hpp"
#include "bpfkit/test_run.hpp"
