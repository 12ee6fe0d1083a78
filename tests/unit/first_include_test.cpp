// first_include() decides which sources get the vmlinux.h PCH: a wrong "yes"
// would silently ignore a #define placed before vmlinux.h.
#include "first_include.hpp"

#include <gtest/gtest.h>

namespace {

// The included name, or "" when the first directive is not an #include.
std::string first_include(std::string_view source) {
  auto directive = bpfkit::tools::first_include(source);
  return directive ? directive->name : std::string();
}

}  // namespace

TEST(FirstInclude, QuotedAndAngled) {
  EXPECT_EQ(first_include("#include \"vmlinux.h\"\n"), "vmlinux.h");
  EXPECT_EQ(first_include("#include <vmlinux.h>\n"), "vmlinux.h");
  // The spelling decides where clang looks first.
  EXPECT_FALSE(bpfkit::tools::first_include("#include \"vmlinux.h\"\n")->angled);
  EXPECT_TRUE(bpfkit::tools::first_include("#include <vmlinux.h>\n")->angled);
  EXPECT_EQ(first_include("#include <linux/bpf.h>\n#include \"vmlinux.h\"\n"), "linux/bpf.h");
}

TEST(FirstInclude, SkipsCommentsAndBlankLines) {
  EXPECT_EQ(first_include("// SPDX-License-Identifier: GPL-2.0\n\n/* a\n * block */\n"
                          "#include \"vmlinux.h\""),
            "vmlinux.h");
  EXPECT_EQ(first_include("/* #define X */ #include \"vmlinux.h\""), "vmlinux.h");
}

TEST(FirstInclude, SpacingInsideTheDirective) {
  EXPECT_EQ(first_include("  #  include\t\"vmlinux.h\"\n"), "vmlinux.h");
}

TEST(FirstInclude, AnythingElseFirstMeansNoInclude) {
  EXPECT_EQ(first_include("#define BPF_NO_PRESERVE_ACCESS_INDEX\n#include \"vmlinux.h\"\n"), "");
  EXPECT_EQ(first_include("#pragma once\n#include \"vmlinux.h\"\n"), "");
  EXPECT_EQ(first_include("int x;\n#include \"vmlinux.h\"\n"), "");
  EXPECT_EQ(first_include("#includes \"vmlinux.h\"\n"), "");
  EXPECT_EQ(first_include(""), "");
}

TEST(FirstInclude, MalformedDirectives) {
  EXPECT_EQ(first_include("#include \"vmlinux.h\n\"\n"), "");
  EXPECT_EQ(first_include("#include \"vmlinux.h"), "");
  EXPECT_EQ(first_include("#include vmlinux.h\n"), "");
  EXPECT_EQ(first_include("/* unterminated comment"), "");
}
