// Comparing type layouts between two BTFs (`bpfkit btf --compare`): which
// fields of a struct or union moved, changed size or type, or exist on only
// one side, and which enum values changed; fields are matched by name, seen
// through anonymous members as CO-RE sees them ("rcu_users" of task_struct).
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/inspect/object_file.hpp"

namespace bpfkit::inspect {

// One field as the comparison sees it (or one enumerator: offset = value).
struct field_shape {
  std::uint64_t bit_offset = 0;
  std::uint64_t bits = 0;
  bool bitfield = false;
  std::string type;  // C type with top-level typedefs resolved ("unsigned int")
  // What the comparison compares of the type: integers by size and sign
  // ("unsigned long long" and "long long unsigned int" are the same type
  // named by two compilers), typedefs resolved, structs by name.
  std::string type_key;
};

struct field_change {
  std::string field;  // "tgid", "se.vruntime" through named anonymous-typed members
  std::optional<field_shape> baseline, target;  // one is empty: present on one side only
  bool offset = false, size = false, type = false;
};

struct type_comparison {
  std::string title;  // "struct task_struct"
  std::uint32_t baseline_id = 0;
  std::uint32_t target_id = 0;  // 0: no such type on the target
  std::string target_title;     // the target's name when the baseline's has a ___flavor
  bool enumeration = false;
  std::uint64_t baseline_size = 0, target_size = 0;
  std::size_t fields = 0;  // fields (values) of the baseline type
  std::vector<field_change> changes;
  // A ___flavor's size is its own: only its fields count.
  bool same() const {
    return target_id && changes.empty() && (baseline_size == target_size || !target_title.empty());
  }
};

// Compares types of `baseline` with the types of the same kind and
// essential name in `target` (an exact name first). A ___flavor of a type
// declares only the fields a program uses: fields only the target has are
// not reported for it.
class type_comparer {
 public:
  type_comparer(const btf *baseline, const btf *target);
  ~type_comparer();
  type_comparer(const type_comparer &) = delete;
  type_comparer &operator=(const type_comparer &) = delete;

  // `id` may be a typedef or modifier of the struct, union or enum.
  type_comparison compare(std::uint32_t id) const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// The types of a BPF object that are the kernel's: the structs, unions and
// enums its CO-RE relocations walk through, its programs' context types, and
// its other named structs, unions and enums that have the same layout as in
// `host` (the running kernel, may be null) or in `target`: those came from
// kernel headers. Sorted by name.
std::vector<std::uint32_t> object_kernel_types(const object_file &object, const btf *host, const btf *target);

// Fields the object's CO-RE relocations read, keyed by (type id, field), with
// the source locations ("core.bpf.c:25") that read them.
std::map<std::pair<std::uint32_t, std::string>, std::vector<std::string>> core_reads(const object_file &object);

struct comparison_report {
  std::string baseline;  // names of the two sides, for the text
  std::string target;
  std::vector<type_comparison> types;
  std::map<std::pair<std::uint32_t, std::string>, std::vector<std::string>> reads;  // core_reads(), if any
};

std::string comparison_text(const comparison_report &report);
std::string comparison_json(const comparison_report &report);

}  // namespace bpfkit::inspect
