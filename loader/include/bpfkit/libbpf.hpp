// bpfkit's objects as libbpf's, for what bpfkit has no call for (attaching
// to a cgroup, libbpf options of its own, ...). The other runtime headers
// keep libbpf's types out of the code that includes them; this one brings
// <bpf/libbpf.h>.
//
//   int cgroup = open("/sys/fs/cgroup", O_RDONLY);
//   bpfkit::link link = bpfkit::libbpf::adopt(
//       bpf_program__attach_cgroup(bpfkit::libbpf::get(skel.progs.watch), cgroup),
//       "program 'watch' to /sys/fs/cgroup");
#pragma once

#include <bpf/libbpf.h>

#include <string>

#include "bpfkit/link.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/program.hpp"

namespace bpfkit::libbpf {

// The libbpf objects behind bpfkit's; nullptr for an empty object, an
// unbound program or map, or a link that holds no libbpf link (XDP with
// flags and tc attachments are kernel links bpfkit made itself).
bpf_object* get(const object& object) noexcept;
bpf_program* get(const program& program) noexcept;
bpf_map* get(const map_handle& map) noexcept;
bpf_link* get(const link& link) noexcept;

// A bpfkit::link that owns `attached`, the result of a libbpf attach call.
// libbpf returns NULL (errno set) on failure: that throws bpfkit::error
// "attach <description>: <errno text>" instead of giving an empty link.
link adopt(bpf_link* attached, const std::string& description);

}  // namespace bpfkit::libbpf
