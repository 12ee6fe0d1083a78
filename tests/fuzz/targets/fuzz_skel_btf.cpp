// The skeleton generator's BTF input: object_check, then the libbpf paths
// bpfkit-skel takes through an object's BTF (bpf_object__open_mem,
// bpf_object__btf, sizes, names and btf_dump of every type, which recurses
// without end on self-referencing types in libbpf 1.1).
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstdarg>
#include <memory>

#include "bpfkit/object_check.hpp"
#include "fuzz_support.hpp"

namespace {
void discard(void *, const char *, va_list) {}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  bpfkit::fuzz::silence_libbpf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (bpfkit::object_check::check_bpf_object(bpfkit::fuzz::as_bytes(data, size))) return 0;
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "fuzz");
  std::unique_ptr<bpf_object, decltype(&bpf_object__close)> object(
      bpf_object__open_mem(data, size, &opts), bpf_object__close);
  if (!object) return 0;
  const btf *types = bpf_object__btf(object.get());
  if (!types) return 0;
  for (__u32 id = 1; id < btf__type_cnt(types); ++id) {
    const btf_type *t = btf__type_by_id(types, id);
    (void)btf__name_by_offset(types, t->name_off);
    (void)btf__resolve_size(types, id);
    (void)btf__resolve_type(types, id);
    (void)btf__align_of(types, id);
  }
  std::unique_ptr<btf_dump, decltype(&btf_dump__free)> dump(
      btf_dump__new(types, discard, nullptr, nullptr), btf_dump__free);
  if (!dump) return 0;
  for (__u32 id = 1; id < btf__type_cnt(types); ++id) btf_dump__dump_type(dump.get(), id);
  return 0;
}
