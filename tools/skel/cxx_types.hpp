// BTF types as C++ types with the same layout.
//
// Every type reachable by value from the roots (map keys and values, ring
// buffer events, global variables) is written into `<name>::types` in
// dependency order:
//  - integers become fixed-width std:: types (char stays char, _Bool bool);
//  - struct/union keep their members in order; where the natural C++ layout
//    would differ from the BTF offsets, explicit padding is inserted
//    (`pad_<offset>_` byte arrays, unnamed bit-fields), and packed layouts get
//    __attribute__((packed));
//  - enums become `enum class` with the BTF size and signedness as the fixed
//    underlying type;
//  - typedefs become alias declarations; an anonymous struct/union/enum named
//    by a typedef takes the typedef's name;
//  - pointers become std::uint64_t (a BPF pointer is 64-bit whatever the
//    host), with the C type in a comment;
//  - anonymous members stay anonymous; a named member of anonymous type gets
//    a nested type named `<member>_t`; an anonymous root type is named after
//    its use (`<map>_key_t`, `<map>_value_t`, `<variable>_t`).
// Every struct/union size and every non-bit-field member offset is checked
// with static_assert against the BTF.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bpf_object_info.hpp"
#include "cxx_names.hpp"

struct btf;

namespace bpfkit::skel {

class cxx_types {
 public:
  // `ns` is the skeleton's namespace (`<name>`); types go to `<ns>::types`.
  cxx_types(const btf &types, std::string ns, std::string path);
  ~cxx_types();
  cxx_types(const cxx_types &) = delete;
  cxx_types &operator=(const cxx_types &) = delete;

  // Declares a type the skeleton refers to. `anonymous_name` names it when it
  // (after qualifiers and array dimensions) is an anonymous struct/union/enum.
  void add_root(std::uint32_t id, const std::string &anonymous_name);

  // Declares the exposed variables of a data section as roots
  // (`<variable>_t` for anonymous types).
  void add_section_roots(const data_section &section);

  // Names every reachable type. Call after the last add_root().
  void finalize();

  // The body of `namespace <ns>::types`.
  std::string definitions() const;

  // A type as a value outside the types namespace (template arguments):
  // fully qualified, arrays as std::array, pointers as std::uint64_t.
  std::string value_type(std::uint32_t id) const;

  // A struct over a DATASEC's global variables at their section offsets (the
  // layout libbpf mmaps), named `struct_name`, with its static_asserts, for
  // namespace <ns>. Static variables are not exposed (they stay padding).
  // Returns an empty string when the section has no exposed variable.
  std::string section_struct(const data_section &section, const std::string &struct_name) const;

  // True when the section has a variable section_struct() exposes.
  bool section_has_variables(const data_section &section) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace bpfkit::skel
