#include "bpfkit/libbpf.hpp"

#include <bpf/libbpf_version.h>

#include <cerrno>
#include <memory>

#include "bpfkit/error.hpp"
#include "bpfkit/libbpf_version.hpp"
#include "state.hpp"

namespace bpfkit::libbpf {

bpf_object* get(const object& o) noexcept {
  detail::object_state* s = detail::access::state(o);
  return s ? s->obj.get() : nullptr;
}

bpf_program* get(const program& p) noexcept { return detail::access::raw(p); }

bpf_map* get(const map_handle& m) noexcept { return detail::access::raw(m); }

bpf_link* get(const link& l) noexcept {
  detail::attachment* a = detail::access::raw(l);
  return a ? a->get() : nullptr;
}

link adopt(bpf_link* attached, const std::string& description) {
  if (!attached) throw error(errno ? errno : EINVAL, "attach " + description);
  return detail::access::make_link(
      std::make_unique<detail::libbpf_attachment>(attached, description));
}

}  // namespace bpfkit::libbpf

namespace bpfkit {

libbpf_versions libbpf_version() noexcept {
  return {libbpf_major_version(), libbpf_minor_version(), LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION};
}

}  // namespace bpfkit
