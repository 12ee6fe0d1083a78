// bpfkit::link: an attached program, detached when the link is destroyed.
#pragma once

#include <bpf/libbpf.h>

#include <memory>
#include <string>

namespace bpfkit {

namespace detail {
class attachment;  // a way of being attached: BPF link, raw link fd, tc filter
}

// Move-only. Returned by the program::attach*() calls. A pinned link stays
// attached after destruction until its pin is removed (unpin() or rm);
// a tc attachment (a netlink filter, not a BPF link) cannot be pinned.
class link {
 public:
  link() noexcept;                   // attached to nothing
  explicit link(bpf_link* adopted);  // takes ownership of a libbpf link
  explicit link(std::unique_ptr<detail::attachment> attachment) noexcept;
  link(link&&) noexcept;
  link& operator=(link&&) noexcept;  // detaches what this link held
  ~link();

  void pin(const std::string& path);
  void unpin();
  void detach() noexcept;  // now, rather than on destruction; leaves the link empty

  explicit operator bool() const noexcept { return attachment_ != nullptr; }
  int fd() const;         // the BPF link's fd; -1 for a tc attachment
  bpf_link* get() const;  // the libbpf link, when there is one; else nullptr

 private:
  detail::attachment& require() const;

  std::unique_ptr<detail::attachment> attachment_;
};

}  // namespace bpfkit
