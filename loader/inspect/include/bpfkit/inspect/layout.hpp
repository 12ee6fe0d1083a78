// Memory layouts of BTF types, pahole-style: every field with its offset and
// size, bitfields with their bit offsets, the holes between fields and the
// padding at the end; anonymous structs and unions laid out in place; enums
// with their values; a global variable section (.bss, .data, .rodata) like a
// struct of its variables.
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bpfkit::inspect {

// C declarations of BTF types, as libbpf's btf_dump writes them.
class c_declarations {
 public:
  explicit c_declarations(const btf *types);
  ~c_declarations();
  c_declarations(const c_declarations &) = delete;
  c_declarations &operator=(const c_declarations &) = delete;

  // "char comm[16]", "struct list_head *next", "void (*fn)(int)"; the type
  // alone ("char[16]") when `name` is empty. One line.
  std::string declare(std::uint32_t type_id, const std::string &name = {}) const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

struct layout_entry {
  enum class kind { field, hole, padding };
  kind what = kind::field;
  std::string name;              // empty for an anonymous struct/union member
  std::uint32_t type_id = 0;
  std::string type;              // the field's type in C ("char[16]")
  std::string declaration;       // "unsigned int flags:3", "char comm[16]"
  std::uint64_t bit_offset = 0;  // from the start of the outermost type
  std::uint64_t bits = 0;        // extent of the field (its width for a bitfield) or of the gap
  bool bitfield = false;
  bool anonymous_union = false;  // with `members`: an anonymous union rather than struct
  std::vector<layout_entry> members;  // the layout of an anonymous struct/union member
};

struct type_layout {
  enum class kind {
    record,       // struct or union (also behind a typedef of an anonymous one)
    enumeration,  // enum (also behind a typedef of an anonymous one)
    section,      // a DATASEC: global variables
    other,        // anything else, as one declaration
  };
  kind what = kind::other;
  std::uint32_t type_id = 0;
  std::string name;      // "task_struct", ".bss", "__u32"; empty when anonymous
  std::string title;     // "struct task_struct", "SEC(\".bss\")", "typedef __u32"
  std::string opening;   // printed before " {": "struct flow", "typedef struct"
  std::string closing;   // printed after "}": "" or " flow_t"
  std::uint64_t size = 0;
  bool is_union = false;
  bool is_signed = false;  // enums
  std::vector<layout_entry> entries;  // records and sections
  struct enumerator {
    std::string name;
    std::uint64_t value = 0;  // as stored; negative for signed enums when the top bit is set
  };
  std::vector<enumerator> values;  // enums
  std::string declaration;          // kind::other: "typedef unsigned int __u32"

  std::size_t members = 0;  // named fields, also in anonymous members
  std::size_t holes = 0;
  std::uint64_t hole_bits = 0;
  std::uint64_t padding_bits = 0;  // at the end of the outermost type
};

type_layout lay_out(const btf *types, std::uint32_t id, const c_declarations &c);

// Text for people (C with /* offset size */ comments) and JSON.
std::string layout_text(const type_layout &layout);
// "4 bytes", "3 bits", "1 byte 5 bits".
std::string bits_phrase(std::uint64_t bits);

}  // namespace bpfkit::inspect
