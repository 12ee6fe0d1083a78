// bpfkit::event_reader: the events of a ring buffer or perf event array in
// the kernel as bytes, for tools that read any such map (a pinned one, one
// by id) without its C++ event type: `bpfkit map watch`. A skeleton's own
// maps have the typed bpfkit::ring_buffer<E> and bpfkit::perf_event_array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace bpfkit {

class map_view;

class event_reader {
 public:
  // cpu: the CPU a perf sample came from, -1 for ring buffer records.
  // Returns false to stop: the records after it stay in the ring buffer
  // (perf samples after it in the same poll are dropped).
  using event_callback = std::function<bool(int cpu, std::span<const std::uint8_t> data)>;
  // Perf event arrays: `count` samples of `cpu` were lost, its ring was full.
  using lost_callback = std::function<void(int cpu, std::uint64_t count)>;

  // Opens the map's ring (perf: `perf_pages` pages per CPU, a power of two).
  // Throws bpfkit::error: EINVAL for a map of another type, EPERM/EACCES
  // without the privilege to map it, else the kernel's errno.
  event_reader(const map_view& map, event_callback on_event, lost_callback on_lost = {},
               std::size_t perf_pages = 8);
  event_reader(event_reader&& other) noexcept;
  event_reader& operator=(event_reader&& other) noexcept;
  ~event_reader();

  // Waits up to `timeout_ms` (negative: forever) and delivers what arrived.
  // Returns normally when interrupted by a signal or stopped by the
  // callback. An exception from a callback is rethrown here; libbpf's own
  // failures throw bpfkit::error with the errno.
  void poll(int timeout_ms);

  struct state;  // defined in event_reader.cpp

 private:
  state* state_ = nullptr;  // owned
};

}  // namespace bpfkit
