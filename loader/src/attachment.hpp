// The kinds of attachment a bpfkit::link can own.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <string>

#include "bpfkit/link.hpp"
#include "unique_fd.hpp"

namespace bpfkit::detail {

// Attach types of TCX links (Linux 6.6), newer than libbpf 1.1's headers.
constexpr std::uint32_t attach_tcx_ingress = 46, attach_tcx_egress = 47;

// Detaches in its destructor. `description` names the program and the hook
// for error messages ("program 'count' on tracepoint syscalls/sys_enter_x").
class attachment {
 public:
  explicit attachment(std::string description) : description_(std::move(description)) {}
  virtual ~attachment() = default;

  virtual int fd() const = 0;
  virtual bpf_link* get() const { return nullptr; }
  virtual void pin(const std::string& path) = 0;
  virtual void unpin() = 0;
  // The destructor then leaves the program attached (link::release).
  virtual void release() noexcept {}
  const std::string& description() const noexcept { return description_; }

 private:
  std::string description_;
};

// A libbpf link: tracing, kprobes, uprobes, everything libbpf attaches.
class libbpf_attachment final : public attachment {
 public:
  libbpf_attachment(bpf_link* link, std::string description);
  ~libbpf_attachment() override;

  int fd() const override;
  bpf_link* get() const override { return link_; }
  void pin(const std::string& path) override;
  void unpin() override;
  void release() noexcept override { bpf_link__disconnect(link_); }

 private:
  bpf_link* link_;
};

// A kernel BPF link known only by its fd (bpf_link_create, e.g. XDP with flags).
class fd_attachment final : public attachment {
 public:
  fd_attachment(unique_fd fd, std::string description);

  int fd() const override { return fd_.get(); }
  void pin(const std::string& path) override;
  void unpin() override;

 private:
  unique_fd fd_;
  std::string pin_path_;
};

// A tc filter on a clsact hook, made through netlink (works on every kernel,
// unlike tcx links).
class tc_attachment final : public attachment {
 public:
  tc_attachment(const bpf_tc_hook& hook, const bpf_tc_opts& attached, std::string description);
  ~tc_attachment() override;

  int fd() const override { return -1; }
  void pin(const std::string& path) override;
  void unpin() override;
  void release() noexcept override { released_ = true; }

 private:
  bpf_tc_hook hook_;
  bpf_tc_opts attached_;  // handle and priority the kernel chose
  bool released_ = false;
};

}  // namespace bpfkit::detail
