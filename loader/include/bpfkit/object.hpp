// bpfkit::object, the owner of one BPF object (its programs and maps).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/map_handle.hpp"
#include "bpfkit/program.hpp"

namespace bpfkit {

struct load_options;  // <bpfkit/load.hpp>
struct load_report;

// Move-only; closing it (destruction) unloads its programs and maps, except
// what is pinned or attached through a live link. The program and map
// handles it gives out are views that must not outlive it.
//
// Between open and load the object can be adjusted: global data written
// (section()), maps resized (map_handle::set_max_entries, set_value_size),
// programs left out (program::set_autoload). Typed maps made before load
// check their C++ types against the final sizes at load.
class object {
 public:
  // `elf` must stay valid as long as the object: libbpf reads it in place,
  // and a failed load reads it again (a skeleton's embedded ELF does).
  static object open_memory(std::span<const std::byte> elf, std::string_view name);
  // The same over a pointer and a size. Skeletons call this one: a
  // std::span built in the header cost every skeleton's translation unit
  // 30 to 50 ms of compile (GCC 12 checks span's constraints each time).
  static object open_memory(const void* elf, std::size_t size, std::string_view name);
  static object open_file(const std::string& path);  // name: the file name up to the first '.'

  object() noexcept = default;  // holds nothing; every call but loaded() throws
  object(object&& other) noexcept;
  object& operator=(object&& other) noexcept;  // closes what this object held
  ~object();

  // Creates the maps and loads the programs (whose autoload is on, or those
  // `options` names), then maps the global data sections. Throws
  // bpfkit::error when a program fails: what() names the object and the
  // program and says why (the verifier's reason with its source line, or
  // libbpf's reason for a failure before the verifier), and report() has
  // every program's verdict. An object is loaded once: after a failed load,
  // open it again.
  void load();
  void load(const load_options& options);
  // The same, returning what happened to each program instead of throwing
  // for the kernel's verdicts (it still throws for misuse: a second load, an
  // unknown program name, a typed map whose C++ type does not fit). When a
  // program fails, every other program is loaded on its own to give its
  // verdict too; the object itself stays unloaded.
  load_report try_load();
  load_report try_load(const load_options& options);
  bool loaded() const noexcept;

  std::string_view name() const;

  program program_by_name(std::string_view name) const;  // throws listing the names there are
  map_handle map_by_name(std::string_view name) const;   // likewise; also ".bss", ".rodata", ...
  std::vector<program> programs() const;
  std::vector<map_handle> maps() const;

  // The memory of a global data section (".rodata", ".data", ".bss",
  // ".data.<x>", ".rodata.<x>"): before load() libbpf's copy of the initial
  // values, written to set globals; after load() the map's own memory,
  // mmapped at the same address (.rodata then read-only), so what BPF
  // programs write shows. Throws ENOENT for a section the object lacks.
  std::span<std::byte> section(std::string_view name) const;
  // section(name) as a T (a skeleton's rodata_t, ...); throws unless the
  // section holds at least sizeof(T) bytes.
  template <class T>
  T* section_as(std::string_view name) const {
    return static_cast<T*>(section_memory(name, sizeof(T)));
  }

 private:
  friend struct detail::access;
  explicit object(detail::object_state* state) noexcept : state_(state) {}
  detail::object_state& require() const;
  void* section_memory(std::string_view name, std::size_t size) const;

  detail::object_state* state_ = nullptr;  // owned
};

}  // namespace bpfkit
