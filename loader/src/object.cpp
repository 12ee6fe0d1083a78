#include "bpfkit/object.hpp"

#include <cerrno>

#include "bpfkit/error.hpp"
#include "load_failure.hpp"
#include "object_source.hpp"

namespace bpfkit {

struct object::impl {
  detail::object_ptr obj;
  detail::object_source source;
  bool load_attempted = false;
  bool loaded = false;
};

object object::open_memory(std::span<const std::byte> elf, std::string_view name) {
  auto state = std::make_unique<impl>();
  state->source.elf = elf;
  state->source.name = std::string(name);
  state->obj = detail::open_object(state->source);
  return object(std::move(state));
}

object object::open_file(const std::string& path) {
  auto state = std::make_unique<impl>();
  state->source.path = path;
  state->obj = detail::open_object(state->source);
  return object(std::move(state));
}

object::object() noexcept = default;
object::object(std::unique_ptr<impl> state) noexcept : impl_(std::move(state)) {}
object::object(object&&) noexcept = default;
object& object::operator=(object&&) noexcept = default;
object::~object() = default;

object::impl& object::require() const {
  if (!impl_) throw error(EINVAL, "bpfkit::object is empty (moved from or never opened)");
  return *impl_;
}

void object::load() {
  impl& s = require();
  std::string what = "load object '" + std::string(name()) + "'";
  if (s.loaded) throw error(EINVAL, what + ": it is already loaded");
  // libbpf cannot load an object twice, even after a failure.
  if (s.load_attempted) throw error(EINVAL, what + ": an earlier load failed; open it again");
  s.load_attempted = true;
  detail::verifier_logs logs(s.obj.get());
  if (int err = bpf_object__load(s.obj.get()); err != 0) throw logs.failure(err, s.source);
  s.loaded = true;
}

bool object::loaded() const noexcept { return impl_ && impl_->loaded; }

std::string_view object::name() const { return bpf_object__name(require().obj.get()); }

bpf_object* object::get() const noexcept { return impl_ ? impl_->obj.get() : nullptr; }

namespace {

template <class Handle>
std::string names(const std::vector<Handle>& handles) {
  std::string list;
  for (const Handle& handle : handles)
    list += (list.empty() ? "" : ", ") + std::string(handle.name());
  return list.empty() ? "none" : list;
}

}  // namespace

program object::program_by_name(std::string_view wanted) const {
  bpf_program* prog =
      bpf_object__find_program_by_name(require().obj.get(), std::string(wanted).c_str());
  if (!prog)
    throw error(ENOENT, "object '" + std::string(name()) + "' has no program '" +
                            std::string(wanted) + "'; its programs: " + names(programs()));
  return program(prog);
}

map_handle object::map_by_name(std::string_view wanted) const {
  bpf_map* map = bpf_object__find_map_by_name(require().obj.get(), std::string(wanted).c_str());
  if (!map)
    throw error(ENOENT, "object '" + std::string(name()) + "' has no map '" + std::string(wanted) +
                            "'; its maps: " + names(maps()));
  return map_handle(map);
}

std::vector<program> object::programs() const {
  std::vector<program> all;
  bpf_program* prog;
  bpf_object__for_each_program(prog, require().obj.get()) all.emplace_back(prog);
  return all;
}

std::vector<map_handle> object::maps() const {
  std::vector<map_handle> all;
  bpf_map* map;
  bpf_object__for_each_map(map, require().obj.get()) all.emplace_back(map);
  return all;
}

}  // namespace bpfkit
