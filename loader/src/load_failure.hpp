// The verifier's log for a failed load, and the error that reports it.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "bpfkit/error.hpp"
#include "object_source.hpp"

namespace bpfkit::detail {

// Gives every program of `obj` a log buffer for one bpf_object__load. libbpf
// loads without a log (no cost when all goes well) and, when the kernel
// rejects a program, loads that one again with the log on: only the failing
// program's buffer gets written.
class verifier_logs {
 public:
  static constexpr std::size_t initial_size = 256 * 1024;

  explicit verifier_logs(bpf_object* obj);
  ~verifier_logs();  // hands the programs back without a buffer
  verifier_logs(const verifier_logs&) = delete;
  verifier_logs& operator=(const verifier_logs&) = delete;

  // The error for bpf_object__load's `err`: names the object and the rejected
  // program, and quotes the verifier's reason, source line and log tail. A log
  // cut short (ENOSPC) is first completed by loading a fresh copy of the
  // object, opened from `source`, with ever larger buffers: the reason is at
  // the end of the log, and on older kernels a full buffer drops the end.
  error failure(int err, const object_source& source) const;

 private:
  bpf_object* obj_;
  std::vector<std::pair<bpf_program*, std::unique_ptr<char[]>>> buffers_;
};

}  // namespace bpfkit::detail
