// The kernel work of one declarative BPF test, and nothing else: open the
// object, load one program, run it once on a packet, read one map entry.
// bench/test_speed.py compares bpfkit-test against this and against the
// same check scripted with bpftool.
//
//   bpfkit_bench_kernel_work OBJECT PROGRAM PACKET_FILE [ITERATIONS]
//
// With ITERATIONS > 1 it also prints the in-process time per iteration.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <bpfkit/bpfkit.hpp>

namespace {

std::uint64_t one_check(const std::string &path, const std::string &name,
                        const std::vector<std::uint8_t> &packet) {
  bpfkit::object obj = bpfkit::object::open_file(path);
  bpfkit::program prog = obj.program_by_name(name);
  for (bpfkit::program p : obj.programs()) p.set_autoload(p.name() == prog.name());
  obj.load();
  bpfkit::test_run_opts opts;
  opts.data_in = packet;
  const auto result = prog.test_run(opts);
  bpfkit::hash_map<std::uint32_t, std::uint64_t> counter(obj.map_by_name("PACKET_COUNTER"));
  return result.retval + counter.lookup(0).value_or(0);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s OBJECT PROGRAM PACKET_FILE [ITERATIONS]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[3], std::ios::binary);
  const std::vector<std::uint8_t> packet{std::istreambuf_iterator<char>(in), {}};
  const int iterations = argc > 4 ? std::atoi(argv[4]) : 1;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t sink = 0;
  for (int i = 0; i < iterations; ++i) sink += one_check(argv[1], argv[2], packet);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (iterations > 1) std::printf("%.6f s per check in process\n", elapsed.count() / iterations);
  return sink == 0 ? 1 : 0;
}
