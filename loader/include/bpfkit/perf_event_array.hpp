// bpfkit::perf_event_array: samples from a BPF_MAP_TYPE_PERF_EVENT_ARRAY map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "bpfkit/detail/delivery.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {

// One perf ring per CPU, read through libbpf's perf_buffer. Samples arrive as
// bytes: the kernel pads each one to 8 bytes, so the size seen here may exceed
// what the program passed to bpf_perf_event_output(). Move-only; closes the
// perf events on destruction. Exceptions from the callback are rethrown from
// poll()/consume() once libbpf's C frames are left (the first one wins).
class perf_event_array {
 public:
  struct state;  // defined in perf_event_array.cpp

  perf_event_array() noexcept = default;
  explicit perf_event_array(map_handle map);  // throws unless a perf event array
  perf_event_array(perf_event_array&& other) noexcept;
  perf_event_array& operator=(perf_event_array&& other) noexcept;
  ~perf_event_array();

  // Opens the per-CPU rings (`pages` per CPU, a power of two) on the loaded
  // map; `on_sample(int cpu, std::span<const std::byte> sample)` receives
  // every sample from then on.
  template <class Callback>
  void open(Callback on_sample, std::size_t pages = 8) {
    using stored = std::decay_t<Callback>;
    open_erased(new stored(std::move(on_sample)), &detail::call_sink<stored>,
                [](void* callback) { delete static_cast<stored*>(callback); }, pages);
  }

  // Waits up to `timeout` (a std::chrono::duration; 0: no wait; negative:
  // forever) and delivers what arrived. Returns the number of rings that had
  // data (0 when interrupted).
  template <class Duration>
  int poll(const Duration& timeout) {
    return poll_ms(detail::timeout_ms(timeout));
  }
  int consume();  // delivers what is there now

  // Samples the kernel dropped because a ring was full.
  std::uint64_t lost() const noexcept;
  const map_handle& map() const noexcept { return map_; }

 private:
  // Takes ownership of `callback` (deleted with `destroy`), also on failure.
  void open_erased(void* callback, detail::sample_sink call, void (*destroy)(void*),
                   std::size_t pages);
  int poll_ms(int timeout_ms);
  state& require();

  map_handle map_;
  state* state_ = nullptr;  // owned
};

}  // namespace bpfkit
