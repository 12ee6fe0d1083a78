// The BPF objects the coverage tests use, as listed by CMake in
// TEST_OBJECTS_FILE, and small helpers to read them.
#pragma once

#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace coverage_test {

struct test_object {
  std::string variant;  // "clang14", ... or the object's file name
  std::string path;
};

// The objects of one section of TEST_OBJECTS_FILE: "paths" and "shapes"
// (one per clang) or "project" (every object this project builds).
std::vector<test_object> objects(const std::string &section);

std::vector<std::byte> read_bytes(const std::string &path);

// Line numbers of the COVER(<name>) markers in a source file.
std::map<std::string, unsigned> markers(const std::string &source);

// How GoogleTest prints a parameter.
inline void PrintTo(const test_object &o, std::ostream *out) { *out << o.variant << " (" << o.path << ")"; }

// A test-name-safe form of a path or variant.
std::string param_name(const std::string &text);

}  // namespace coverage_test
