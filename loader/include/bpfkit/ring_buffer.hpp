// bpfkit::ring_buffer<E>: events from a BPF_MAP_TYPE_RINGBUF map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "bpfkit/detail/delivery.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {
namespace detail {

// Owns the libbpf ring_buffer (an epoll fd and the mmapped ring) of one map.
// It is created on first use, so a ring_buffer can be declared before its
// object is loaded.
class ring_buffer_reader {
 public:
  struct state;  // defined in ring_buffer.cpp

  ring_buffer_reader() noexcept = default;
  explicit ring_buffer_reader(map_handle map);
  ring_buffer_reader(ring_buffer_reader&& other) noexcept;
  ring_buffer_reader& operator=(ring_buffer_reader&& other) noexcept;
  ~ring_buffer_reader();

  int poll(sample_sink sink, void* context, int timeout_ms);
  int consume(sample_sink sink, void* context);
  int epoll_fd();
  const map_handle& map() const noexcept { return map_; }

 private:
  state& open();

  map_handle map_;
  state* state_ = nullptr;  // owned
};

}  // namespace detail

// E is the event type (sizeof(E) must be each event's size; a different size
// throws bpfkit::error naming the map), or std::span<const std::byte> for
// events of any size, delivered as bytes. Move-only; releases the ring on
// destruction.
template <class E>
class ring_buffer {
  static constexpr bool raw = std::is_same_v<E, std::span<const std::byte>>;
  static_assert(raw || std::is_trivially_copyable_v<E>, "events are copied as bytes");

 public:
  using event_type = E;

  ring_buffer() = default;
  explicit ring_buffer(map_handle map) : reader_(map) {}

  // Waits up to `timeout` (a std::chrono::duration; 0: do not wait; negative:
  // forever) for events and delivers every available one to
  // `on_event(const E&)`. Returns how many were delivered (0 when the wait
  // was interrupted by a signal). An exception thrown by `on_event` stops the
  // delivery and is rethrown here (that event counts as consumed).
  template <class Callback, class Duration>
  int poll(Callback&& on_event, const Duration& timeout) {
    adapter<std::remove_reference_t<Callback>> a{on_event, reader_.map()};
    return reader_.poll(&detail::call_sink<decltype(a)>, &a, detail::timeout_ms(timeout));
  }

  // Delivers the events available now, without waiting.
  template <class Callback>
  int consume(Callback&& on_event) {
    adapter<std::remove_reference_t<Callback>> a{on_event, reader_.map()};
    return reader_.consume(&detail::call_sink<decltype(a)>, &a);
  }

  // Readable when events are waiting: for the caller's own event loop.
  int epoll_fd() { return reader_.epoll_fd(); }
  // Before load(): the ring's size in bytes (a power-of-2 multiple of the page size).
  void set_max_entries(std::uint32_t bytes) const { reader_.map().set_max_entries(bytes); }
  const map_handle& map() const noexcept { return reader_.map(); }

 private:
  template <class Callback>
  struct adapter {
    Callback& on_event;
    const map_handle& map;

    void operator()(std::span<const std::byte> sample) {
      if constexpr (raw) {
        on_event(sample);
      } else {
        if (sample.size() != sizeof(E)) detail::throw_event_size(map, sample.size(), sizeof(E));
        E event;
        std::memcpy(&event, sample.data(), sizeof(E));
        on_event(static_cast<const E&>(event));
      }
    }
  };

  detail::ring_buffer_reader reader_;
};

}  // namespace bpfkit
