// bpfkit::perf_event_array: samples from a BPF_MAP_TYPE_PERF_EVENT_ARRAY map.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "bpfkit/map_handle.hpp"

namespace bpfkit {

// One perf ring per CPU, read through libbpf's perf_buffer. Samples arrive as
// bytes: the kernel pads each one to 8 bytes, so the size seen here may exceed
// what the program passed to bpf_perf_event_output(). Move-only; closes the
// perf events on destruction. Exceptions from the callback are rethrown from
// poll()/consume() once libbpf's C frames are left (the first one wins).
class perf_event_array {
 public:
  using callback = std::function<void(int cpu, std::span<const std::byte> sample)>;
  struct state;  // defined in perf_event_array.cpp

  perf_event_array() noexcept;
  explicit perf_event_array(map_handle map);  // throws unless a perf event array
  perf_event_array(perf_event_array&&) noexcept;
  perf_event_array& operator=(perf_event_array&&) noexcept;
  ~perf_event_array();

  // Opens the per-CPU rings (`pages` per CPU, a power of two) on the loaded map.
  void open(callback on_sample, std::size_t pages = 8);

  // Waits up to `timeout` (0: no wait; negative: forever) and delivers what
  // arrived. Returns the number of rings that had data (0 when interrupted).
  int poll(std::chrono::milliseconds timeout);
  int consume();  // delivers what is there now

  // Samples the kernel dropped because a ring was full.
  std::uint64_t lost() const noexcept;
  const map_handle& map() const noexcept { return map_; }

 private:
  state& require();

  map_handle map_;
  std::unique_ptr<state> state_;
};

}  // namespace bpfkit
