// Which BTF types `bpfkit btf` shows: types named on the command line, or
// the types an object's maps, global variables and programs use.
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfkit::inspect {

// The types named `query`: "task_struct", "struct task_struct", "union u",
// "enum state", "typedef pid_t", "__u32", a global section (".bss"), a
// function or a variable. In id order; empty when there is none.
std::vector<std::uint32_t> find_types(const btf *types, std::string_view query);

// Up to `limit` names of structs, unions, enums and typedefs close to
// `query` (containing it, or a few edits away), for "did you mean".
std::vector<std::string> similar_type_names(const btf *types, std::string_view query, std::size_t limit = 5);

// What an object's BTF declares for its BTF-defined maps, global variable
// sections and programs.
struct map_declaration {
  std::string name;
  std::string type;  // "hash", "array"... (libbpf's name), empty when not given
  std::uint32_t key = 0;    // 0 when the map gives only a size
  std::uint32_t value = 0;
};
struct program_context {
  std::string program;
  std::uint32_t type = 0;  // the struct or union its context points to
};
struct object_roots {
  std::vector<map_declaration> maps;
  std::vector<std::uint32_t> sections;  // .bss, .data, .rodata (and their .name variants)
  std::vector<program_context> contexts;
};
object_roots find_roots(const btf *types, const std::vector<std::string> &programs);

// The structs, unions and enums worth printing for `roots` (any type ids):
// named ones reachable by value (through members, arrays, typedefs and
// modifiers, not through pointers), and typedefs of anonymous ones; roots
// that are such types or sections come first, the rest in the order reached.
std::vector<std::uint32_t> types_reachable(const btf *types, const std::vector<std::uint32_t> &roots);

// Every named struct, union and enum of `types`, in id order.
std::vector<std::uint32_t> all_named_types(const btf *types);

}  // namespace bpfkit::inspect
