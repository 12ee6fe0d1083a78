// The kernel work of one declarative test and nothing more, with raw libbpf:
// open the object, load only the tested program, run it once on a packet,
// read one map entry, check it. bench/run times bench.declarative (through
// bpfkit-test) against this: declarative_test_vs_kernel_work.
//
//   kernel_work OBJECT PROGRAM PACKET_FILE MAP KEY RETVAL VALUE
//
// Passes (exit 0) when the program returns RETVAL and the first 64 bits of
// MAP[KEY] (a 32-bit key) equal VALUE.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

int quiet(enum libbpf_print_level, const char *, va_list) { return 0; }

int fail(const char *what, int err) {
  std::fprintf(stderr, "kernel_work: %s: %s\n", what, std::strerror(err < 0 ? -err : err));
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s OBJECT PROGRAM PACKET_FILE MAP KEY RETVAL VALUE\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[3], std::ios::binary);
  std::vector<unsigned char> packet{std::istreambuf_iterator<char>(in), {}};
  const std::uint32_t key = std::strtoul(argv[5], nullptr, 0);
  const long expected_retval = std::strtol(argv[6], nullptr, 0);
  const std::uint64_t expected_value = std::strtoull(argv[7], nullptr, 0);
  libbpf_set_print(quiet);

  bpf_object *obj = bpf_object__open_file(argv[1], nullptr);
  if (!obj) return fail("open", errno);
  bpf_program *tested = bpf_object__find_program_by_name(obj, argv[2]);
  if (!tested) return fail("find program", ENOENT);
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) bpf_program__set_autoload(prog, prog == tested);
  if (int err = bpf_object__load(obj)) return fail("load", err);

  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.data(),
              .data_size_in = static_cast<std::uint32_t>(packet.size()), .repeat = 1);
  if (int err = bpf_prog_test_run_opts(bpf_program__fd(tested), &opts)) return fail("test run", err);

  bpf_map *map = bpf_object__find_map_by_name(obj, argv[4]);
  if (!map) return fail("find map", ENOENT);
  std::vector<unsigned char> value(bpf_map__value_size(map));
  if (int err = bpf_map_lookup_elem(bpf_map__fd(map), &key, value.data()))
    return fail("lookup", err);
  std::uint64_t first = 0;
  std::memcpy(&first, value.data(), std::min(value.size(), sizeof first));
  bpf_object__close(obj);

  if (static_cast<long>(opts.retval) != expected_retval || first != expected_value) {
    std::fprintf(stderr, "kernel_work: retval %u value %llu, expected %ld and %llu\n",
                 opts.retval, static_cast<unsigned long long>(first), expected_retval,
                 static_cast<unsigned long long>(expected_value));
    return 1;
  }
  return 0;
}
