// Opening an object as the runtime and the CLI do: object_check first, then
// bpf_object__open_mem (which crashes on malformed objects in libbpf 1.1),
// then what they read from the opened object.
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfkit/object_check.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  bpfkit::fuzz::silence_libbpf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (bpfkit::object_check::check_bpf_object(bpfkit::fuzz::as_bytes(data, size))) return 0;
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "fuzz");
  bpf_object *object = bpf_object__open_mem(data, size, &opts);
  if (!object) return 0;
  bpf_program *program;
  bpf_object__for_each_program(program, object) {
    (void)bpf_program__name(program);
    (void)bpf_program__section_name(program);
    (void)bpf_program__insn_cnt(program);
    (void)bpf_program__type(program);
  }
  bpf_map *map;
  bpf_object__for_each_map(map, object) {
    (void)bpf_map__name(map);
    (void)bpf_map__key_size(map);
    (void)bpf_map__value_size(map);
    (void)bpf_map__btf_key_type_id(map);
    (void)bpf_map__btf_value_type_id(map);
    std::size_t mmap_size = 0;
    (void)bpf_map__initial_value(map, &mmap_size);
  }
  bpf_object__close(object);
  return 0;
}
