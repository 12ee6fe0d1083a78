// bpfkit::link: an attached program, detached when the link is destroyed.
#pragma once

#include <string>

namespace bpfkit {

namespace detail {
class attachment;  // a way of being attached: BPF link, raw link fd, tc filter
struct access;
}  // namespace detail

// Move-only. Returned by the program::attach*() calls (and by
// bpfkit::libbpf::adopt for a link made with libbpf). A pinned link stays
// attached after destruction until its pin is removed (unpin() or rm); a tc
// attachment (a netlink filter, not a BPF link) cannot be pinned.
class link {
 public:
  link() noexcept = default;  // attached to nothing
  link(link&& other) noexcept;
  link& operator=(link&& other) noexcept;  // detaches what this link held
  ~link();

  void pin(const std::string& path);
  void unpin();
  void detach() noexcept;  // now, rather than on destruction; leaves the link empty
  // Lets go of the attachment without detaching it, leaving the link empty:
  // for a link pinned in bpffs, which stays attached after this process
  // until its pin is removed (`bpfkit attach --pin` does this).
  void release() noexcept;

  explicit operator bool() const noexcept { return attachment_ != nullptr; }
  int fd() const;  // the BPF link's fd; -1 for a tc attachment

 private:
  friend struct detail::access;
  explicit link(detail::attachment* adopted) noexcept : attachment_(adopted) {}
  detail::attachment& require() const;

  detail::attachment* attachment_ = nullptr;  // owned
};

}  // namespace bpfkit
