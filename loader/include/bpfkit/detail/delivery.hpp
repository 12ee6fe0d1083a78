// How ring buffers and perf event arrays hand samples to C++ callbacks
// (implementation detail). The callback is erased to a function pointer
// and a context rather than a std::function, and timeouts are taken as any
// std::chrono::duration without including <chrono>: both headers would cost
// every translation unit that includes a skeleton.
#pragma once

#include <cstddef>
#include <span>

#include "bpfkit/map_handle.hpp"

namespace bpfkit::detail {

// Delivers one sample (cpu: the CPU it came from, -1 for ring buffers).
// May throw: the runtime stops the delivery and rethrows from the
// poll()/consume() call, once libbpf's C frames are left.
using sample_sink = void (*)(void* context, int cpu, std::span<const std::byte> sample);

template <class Callback>
void call_sink(void* context, int cpu, std::span<const std::byte> sample) {
  Callback& callback = *static_cast<Callback*>(context);
  if constexpr (requires { callback(cpu, sample); })
    callback(cpu, sample);
  else
    callback(sample);
}

// A std::chrono::duration in milliseconds: negative stays negative (wait
// forever), and what does not fit an int is clamped.
int timeout_ms(long double milliseconds) noexcept;

template <class Duration>
int timeout_ms(const Duration& timeout) noexcept {
  using period = typename Duration::period;
  return timeout_ms(static_cast<long double>(timeout.count()) * 1000 * period::num / period::den);
}

// Throws bpfkit::error (EBADMSG) for an event of the wrong size.
[[noreturn]] void throw_event_size(const map_handle& map, std::size_t arrived, std::size_t expected);

}  // namespace bpfkit::detail
