#include "c_header.hpp"

#include <bpf/btf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tool_error.hpp"

namespace bpfkit::tools {

namespace {

// Text byte-identical to bpftool's `format c` prologue and epilogue, so that
// the result diffs cleanly against a bpftool-generated vmlinux.h.
constexpr const char prologue[] =
    "#ifndef __VMLINUX_H__\n"
    "#define __VMLINUX_H__\n"
    "\n"
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
    "#endif\n"
    "\n";

constexpr const char epilogue[] =
    "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
    "#pragma clang attribute pop\n"
    "#endif\n"
    "\n"
    "#endif /* __VMLINUX_H__ */\n";

// btf_dump's printf callback: appends formatted text to a std::string.
void append_printf(void *ctx, const char *format, va_list args) {
  auto &out = *static_cast<std::string *>(ctx);
  char small[256];  // most btf_dump fragments are short: format once
  va_list again;
  va_copy(again, args);
  int n = std::vsnprintf(small, sizeof small, format, args);
  if (n >= 0 && static_cast<size_t>(n) < sizeof small) {
    out.append(small, static_cast<size_t>(n));
  } else if (n > 0) {
    size_t old = out.size();
    out.resize(old + static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data() + old, static_cast<size_t>(n) + 1, format, again);
    out.resize(old + static_cast<size_t>(n));
  }
  va_end(again);
}

// libbpf before 1.2 prints a prototype without parameters as `f()`, which C
// reads as "unspecified parameters" (and -Wstrict-prototypes rejects); newer
// libbpf and bpftool print `f(void)`. In a BTF dump `()` occurs nowhere
// else (no expressions, no macros), so a textual rewrite is exact.
void use_void_for_empty_parameter_lists(std::string &text) {
  std::string out;
  out.reserve(text.size() + text.size() / 256);
  size_t from = 0;
  for (size_t at; (at = text.find("()", from)) != std::string::npos; from = at + 2) {
    out.append(text, from, at - from);
    out += "(void)";
  }
  out.append(text, from, std::string::npos);
  text = std::move(out);
}

struct btf_dump_deleter {
  void operator()(btf_dump *d) const { btf_dump__free(d); }
};

}  // namespace

std::string render_c_header(const btf &b, const std::string &source) {
  std::string out = prologue;
  std::unique_ptr<btf_dump, btf_dump_deleter> dump(
      btf_dump__new(&b, append_printf, &out, nullptr));
  if (!dump) throw tool_error(source, std::string("cannot render BTF: ") + std::strerror(errno));

  const __u32 count = btf__type_cnt(&b);
  for (__u32 id = 1; id < count; ++id) {
    if (int err = btf_dump__dump_type(dump.get(), id); err < 0)
      throw tool_error(source, "cannot render BTF type [" + std::to_string(id) +
                                   "]: " + std::strerror(-err));
  }
  use_void_for_empty_parameter_lists(out);
  out += epilogue;
  return out;
}

}  // namespace bpfkit::tools
