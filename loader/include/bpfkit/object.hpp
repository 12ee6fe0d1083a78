// bpfkit::object, the owner of one BPF object (its programs and maps).
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/map_handle.hpp"
#include "bpfkit/program.hpp"

namespace bpfkit {

// Move-only; closing it (destruction) unloads its programs and maps, except
// what is pinned or attached through a live link. The program and map
// handles it gives out are views that must not outlive it.
class object {
 public:
  // `elf` must stay valid as long as the object: libbpf reads it in place,
  // and a failed load reads it again (a skeleton's embedded ELF does).
  static object open_memory(std::span<const std::byte> elf, std::string_view name);
  static object open_file(const std::string& path);  // name: the file name up to the first '.'

  object() noexcept;  // holds nothing; every call but get() and loaded() throws
  object(object&&) noexcept;
  object& operator=(object&&) noexcept;  // closes what this object held
  ~object();

  // Creates the maps and loads every program (whose autoload is on). When the
  // kernel rejects a program the error names it, quotes the verifier's reason
  // with its source line and carries the whole log (error::verifier_log()).
  // An object is loaded once; after a failed load, open it again.
  void load();
  bool loaded() const noexcept;

  std::string_view name() const;
  bpf_object* get() const noexcept;

  program program_by_name(std::string_view name) const;  // throws listing the names there are
  map_handle map_by_name(std::string_view name) const;   // likewise; also ".bss", ".rodata", ...
  std::vector<program> programs() const;
  std::vector<map_handle> maps() const;

 private:
  struct impl;
  explicit object(std::unique_ptr<impl> state) noexcept;
  impl& require() const;

  std::unique_ptr<impl> impl_;
};

}  // namespace bpfkit
