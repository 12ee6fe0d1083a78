#include "bpfkit/object.hpp"

#include <bpf/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "bpfkit/error.hpp"
#include "state.hpp"

namespace bpfkit {

object object::open_memory(std::span<const std::byte> elf, std::string_view name) {
  auto state = std::make_unique<detail::object_state>();
  state->source = detail::checked_memory_source(elf, std::string(name));
  state->name = std::string(name);
  detail::prepare_coverage(*state);
  state->obj = detail::open_object(state->source);
  return detail::access::make_object(std::move(state));
}

object object::open_memory(const void* elf, std::size_t size, std::string_view name) {
  return open_memory(std::span<const std::byte>(static_cast<const std::byte*>(elf), size), name);
}

object object::open_file(const std::string& path) {
  auto state = std::make_unique<detail::object_state>();
  state->source = detail::checked_file_source(path);
  // libbpf keeps 15 characters of the name; messages show all of it.
  const std::size_t slash = path.find_last_of('/');
  state->name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  state->name = state->name.substr(0, state->name.find('.'));
  detail::prepare_coverage(*state);
  state->obj = detail::open_object(state->source);
  return detail::access::make_object(std::move(state));
}

object::object(object&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

object& object::operator=(object&& other) noexcept {
  if (this != &other) {
    delete state_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

object::~object() { delete state_; }

detail::object_state& object::require() const {
  if (!state_) throw error(EINVAL, "bpfkit::object is empty (moved from or never opened)");
  return *state_;
}

bool object::loaded() const noexcept { return state_ && state_->loaded; }

std::string_view object::name() const { return require().name; }

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
  ::bpf_program* prog =
      bpf_object__find_program_by_name(require().obj.get(), std::string(wanted).c_str());
  if (!prog)
    throw error(ENOENT, "object '" + std::string(name()) + "' has no program '" +
                            std::string(wanted) + "'; its programs: " + names(programs()));
  return detail::access::make_program(prog);
}

map_handle object::map_by_name(std::string_view wanted) const {
  detail::object_state& s = require();
  ::bpf_map* map = bpf_object__find_map_by_name(s.obj.get(), std::string(wanted).c_str());
  if (!map)
    throw error(ENOENT, "object '" + std::string(name()) + "' has no map '" + std::string(wanted) +
                            "'; its maps: " + names(maps()));
  return detail::access::make_map(&s, map);
}

std::vector<program> object::programs() const {
  std::vector<program> all;
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, require().obj.get()) all.push_back(detail::access::make_program(prog));
  return all;
}

std::vector<map_handle> object::maps() const {
  detail::object_state& s = require();
  std::vector<map_handle> all;
  ::bpf_map* map;
  bpf_object__for_each_map(map, s.obj.get())
    if (!detail::is_coverage_map(s, map)) all.push_back(detail::access::make_map(&s, map));
  return all;
}

std::span<std::byte> object::section(std::string_view wanted) const {
  detail::object_state& s = require();
  const std::string what = "object '" + std::string(name()) + "': section '" + std::string(wanted) + "'";
  ::bpf_map* map = bpf_object__find_map_by_name(s.obj.get(), std::string(wanted).c_str());
  if (!map || !bpf_map__is_internal(map))
    throw error(ENOENT, what + ": the object has no such global data section");
  std::size_t size = 0;
  void* memory = const_cast<void*>(bpf_map__initial_value(map, &size));
  if (!memory) throw error(ENOENT, what + " has no memory to map (.kconfig is libbpf's)");
  return {static_cast<std::byte*>(memory), size};
}

void* object::section_memory(std::string_view wanted, std::size_t size) const {
  std::span<std::byte> memory = section(wanted);
  // The C++ struct of a section may end in alignment padding the section
  // lacks (a u64 then a u32: 12 bytes, the struct 16); libbpf maps whole
  // pages, so that padding is there to read.
  if ((memory.size() + 15) / 16 * 16 < size)
    throw error(EINVAL, "object '" + std::string(name()) + "': section '" + std::string(wanted) +
                            "' holds " + std::to_string(memory.size()) + " bytes, the C++ type " +
                            std::to_string(size) + "; regenerate the skeleton");
  return memory.data();
}

namespace detail {

void map_sections(const object_state& s) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  ::bpf_map* map;
  bpf_object__for_each_map(map, s.obj.get()) {
    const std::uint32_t flags = bpf_map__map_flags(map);
    if (!bpf_map__is_internal(map) || !(flags & BPF_F_MMAPABLE) || bpf_map__fd(map) < 0) continue;
    std::size_t size = 0;
    void* memory = const_cast<void*>(bpf_map__initial_value(map, &size));
    if (!memory) continue;
    std::size_t length = percpu_slot_size(bpf_map__value_size(map)) * bpf_map__max_entries(map);
    length = (length + page - 1) / page * page;
    const int protection = (flags & BPF_F_RDONLY_PROG) ? PROT_READ : PROT_READ | PROT_WRITE;
    if (::mmap(memory, length, protection, MAP_SHARED | MAP_FIXED, bpf_map__fd(map), 0) == MAP_FAILED)
      throw error(errno, "load object '" + std::string(s.name) +
                             "': map section " + bpf_map__name(map));
  }
}

}  // namespace detail
}  // namespace bpfkit
