// Building BTF in memory for the inspect unit tests, with libbpf's
// btf__add_* writer: no compiler, object file or kernel needed.
#pragma once

#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

namespace inspect_test {

struct btf_free {
  void operator()(btf *b) const { btf__free(b); }
};

// A BTF under construction; every add returns the new type's id and fails
// the test if libbpf refuses.
class builder {
 public:
  builder() : b_(btf__new_empty()) {}

  btf *get() const { return b_.get(); }

  std::uint32_t integer(const char *name, std::size_t size, bool is_signed = false) {
    return check(btf__add_int(b_.get(), name, size, is_signed ? BTF_INT_SIGNED : 0));
  }
  std::uint32_t pointer(std::uint32_t to) { return check(btf__add_ptr(b_.get(), to)); }
  std::uint32_t array(std::uint32_t element, std::uint32_t count) {
    if (!index_) index_ = integer("__array_index", 4);
    return check(btf__add_array(b_.get(), index_, element, count));
  }
  std::uint32_t typedef_of(const char *name, std::uint32_t to) { return check(btf__add_typedef(b_.get(), name, to)); }
  std::uint32_t constant(std::uint32_t to) { return check(btf__add_const(b_.get(), to)); }

  struct field {
    const char *name;
    std::uint32_t type;
    std::uint32_t bit_offset;
    std::uint32_t bit_size = 0;
  };
  std::uint32_t structure(const char *name, std::uint32_t size, std::initializer_list<field> fields) {
    const std::uint32_t id = check(btf__add_struct(b_.get(), name, size));
    add_fields(fields);
    return id;
  }
  std::uint32_t union_of(const char *name, std::uint32_t size, std::initializer_list<field> fields) {
    const std::uint32_t id = check(btf__add_union(b_.get(), name, size));
    add_fields(fields);
    return id;
  }
  std::uint32_t enumeration(const char *name, std::uint32_t size,
                            std::initializer_list<std::pair<const char *, long long>> values) {
    const std::uint32_t id = check(btf__add_enum(b_.get(), name, size));
    for (const auto &[n, v] : values) EXPECT_EQ(btf__add_enum_value(b_.get(), n, v), 0) << n;
    return id;
  }
  std::uint32_t forward(const char *name) { return check(btf__add_fwd(b_.get(), name, BTF_FWD_STRUCT)); }

 private:
  std::uint32_t check(int id) {
    EXPECT_GT(id, 0) << "libbpf refused a type";
    return id > 0 ? static_cast<std::uint32_t>(id) : 0;
  }
  void add_fields(std::initializer_list<field> fields) {
    for (const field &f : fields)
      EXPECT_EQ(btf__add_field(b_.get(), f.name, f.type, f.bit_offset, f.bit_size), 0) << (f.name ? f.name : "");
  }

  std::unique_ptr<btf, btf_free> b_;
  std::uint32_t index_ = 0;
};

}  // namespace inspect_test
