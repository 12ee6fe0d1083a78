// Tests written into BPF sources with bpfkit/test.h: BTF decl tags
// "bpfkit:<key>=<value>" on program functions, read back from the linked
// object, become one test spec per annotated program.
#pragma once

#include <string>
#include <vector>

#include "spec.hpp"

namespace bpfkit::testing {

// The annotated programs of `object`, in BTF order, each as a spec named
// "<test_prefix>.<program>". Throws std::runtime_error naming the object and
// program for an unknown key or a bad value.
std::vector<test_spec> read_annotated_specs(const std::string &object, const std::string &test_prefix);

}  // namespace bpfkit::testing
