#include "bpfkit/link.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>

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

link::link() noexcept = default;

link::link(bpf_link* adopted) {
  // libbpf's attach calls return NULL on failure: adopting that would hide
  // the failure behind an empty link.
  if (!adopted)
    throw error(errno ? errno : EINVAL, "adopt a libbpf link: the attach call returned no link");
  attachment_ = std::make_unique<detail::libbpf_attachment>(adopted, "link");
}

link::link(std::unique_ptr<detail::attachment> attachment) noexcept
    : attachment_(std::move(attachment)) {}

link::link(link&&) noexcept = default;
link& link::operator=(link&&) noexcept = default;
link::~link() = default;

detail::attachment& link::require() const {
  if (!attachment_) throw error(EINVAL, "bpfkit::link is empty (moved from or detached)");
  return *attachment_;
}

void link::pin(const std::string& path) { require().pin(path); }
void link::unpin() { require().unpin(); }
void link::detach() noexcept { attachment_.reset(); }
int link::fd() const { return require().fd(); }
bpf_link* link::get() const { return require().get(); }

}  // namespace bpfkit
