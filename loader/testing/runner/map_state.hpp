// The state of a loaded object's maps, taken right after the load and put
// back after each test, so that the test server can lend one loaded object
// to test after test and each finds what a fresh load gives.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/object.hpp"

namespace bpfkit::testing {

class map_state {
 public:
  // Every map's entries as they are now. Nothing when some map cannot be
  // put back (a ring buffer, a program array, a bloom filter, local
  // storage, a map too large to copy after every test): such an object is
  // loaded again for each test. `why` then says which map.
  static std::optional<map_state> take(const object &obj, std::string &why);

  // Puts every map back: arrays get their values back (.data and .bss
  // included; .rodata is frozen), hash-like maps lose the keys added and
  // get the removed ones back, queues and stacks are emptied and refilled.
  // Throws bpfkit::error when the kernel refuses.
  void restore(const object &obj) const;

 private:
  struct entry {
    std::vector<std::byte> key;
    std::vector<std::byte> value;
  };
  enum class kind { array, hashed, queue };
  struct saved_map {
    std::string name;
    kind how;
    std::size_t key_size;
    std::size_t value_size;  // all CPUs' slots for per-CPU maps
    std::vector<entry> entries;
  };
  std::vector<saved_map> maps_;
};

}  // namespace bpfkit::testing
