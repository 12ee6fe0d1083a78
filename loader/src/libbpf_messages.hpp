// libbpf's own messages, captured while the runtime loads an object.
//
// libbpf explains failures before the verifier (a map it could not create,
// an attach target or a CO-RE relocation it could not resolve) only through
// its print callback, so a load report needs what libbpf printed. The print
// callback is global: while a capture lives, the runtime's callback is
// installed, collects the warnings printed on the capturing thread, and
// passes every message on to the callback that was installed before (when
// `forward`), so a program's own libbpf_set_print keeps working.
#pragma once

#include <string>

namespace bpfkit::detail {

class libbpf_messages {
 public:
  // `forward`: also hand the messages to the previous callback (libbpf's
  // default prints warnings to stderr).
  explicit libbpf_messages(bool forward);
  ~libbpf_messages();
  libbpf_messages(const libbpf_messages&) = delete;
  libbpf_messages& operator=(const libbpf_messages&) = delete;

  // What was printed since construction or the last take(), one message per
  // line; the text is taken (the capture starts over).
  std::string take();

 private:
  friend struct libbpf_messages_access;
  std::string text_;
  bool forward_;
  libbpf_messages* outer_;  // the capture this one is nested in, on this thread
};

}  // namespace bpfkit::detail
