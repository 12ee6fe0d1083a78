#include "bpfkit/link.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "attachment.hpp"
#include "bpfkit/error.hpp"

namespace bpfkit {
namespace detail {

libbpf_attachment::libbpf_attachment(bpf_link* link, std::string description)
    : attachment(std::move(description)), link_(link) {}

libbpf_attachment::~libbpf_attachment() { bpf_link__destroy(link_); }

int libbpf_attachment::fd() const { return bpf_link__fd(link_); }

void libbpf_attachment::pin(const std::string& path) {
  if (int err = bpf_link__pin(link_, path.c_str()); err != 0)
    throw error(err, "pin " + description() + " at " + path);
}

void libbpf_attachment::unpin() {
  if (int err = bpf_link__unpin(link_); err != 0) throw error(err, "unpin " + description());
}

fd_attachment::fd_attachment(unique_fd fd, std::string description)
    : attachment(std::move(description)), fd_(std::move(fd)) {}

void fd_attachment::pin(const std::string& path) {
  if (bpf_obj_pin(fd_.get(), path.c_str()) != 0)
    throw error(errno, "pin " + description() + " at " + path);
  pin_path_ = path;
}

void fd_attachment::unpin() {
  if (pin_path_.empty()) throw error(EINVAL, "unpin " + description() + ": it is not pinned");
  if (::unlink(pin_path_.c_str()) != 0) throw error(errno, "unpin " + description());
  pin_path_.clear();
}

tc_attachment::tc_attachment(const bpf_tc_hook& hook, const bpf_tc_opts& attached,
                             std::string description)
    : attachment(std::move(description)), hook_(hook), attached_(attached) {}

tc_attachment::~tc_attachment() {
  if (released_) return;
  // bpf_tc_detach wants only the filter's identity, not the program.
  bpf_tc_opts filter{};
  filter.sz = sizeof filter;
  filter.handle = attached_.handle;
  filter.priority = attached_.priority;
  // The clsact qdisc stays: other filters may share it, and empty it is inert.
  bpf_tc_detach(&hook_, &filter);
}

void tc_attachment::pin(const std::string& path) {
  throw error(EOPNOTSUPP, "pin " + description() + " at " + path +
                              ": a tc attachment is a netlink filter, not a BPF link");
}

void tc_attachment::unpin() {
  throw error(EOPNOTSUPP, "unpin " + description() + ": a tc attachment cannot be pinned");
}

}  // namespace detail

link::link(link&& other) noexcept : attachment_(std::exchange(other.attachment_, nullptr)) {}

link& link::operator=(link&& other) noexcept {
  if (this != &other) {
    delete attachment_;  // detaches
    attachment_ = std::exchange(other.attachment_, nullptr);
  }
  return *this;
}

link::~link() { delete attachment_; }

detail::attachment& link::require() const {
  if (!attachment_) throw error(EINVAL, "bpfkit::link is empty (moved from or detached)");
  return *attachment_;
}

void link::pin(const std::string& path) { require().pin(path); }
void link::unpin() { require().unpin(); }
void link::detach() noexcept {
  delete attachment_;
  attachment_ = nullptr;
}
void link::release() noexcept {
  if (!attachment_) return;
  attachment_->release();
  detach();
}
int link::fd() const { return require().fd(); }

}  // namespace bpfkit
