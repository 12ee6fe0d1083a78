// bpfkit::ring_buffer<E>: events from a BPF_MAP_TYPE_RINGBUF map.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <type_traits>

#include "bpfkit/error.hpp"
#include "bpfkit/map_handle.hpp"

namespace bpfkit {
namespace detail {

// Owns the libbpf ring_buffer (an epoll fd and the mmapped ring) of one map.
// It is created on first use, so a ring_buffer can be declared before its
// object is loaded. Exceptions thrown by the handler stop the delivery and
// are rethrown from poll()/consume(), after libbpf's C frames are left.
class ring_buffer_reader {
 public:
  using handler = std::function<void(std::span<const std::byte>)>;
  struct state;  // defined in ring_buffer.cpp

  ring_buffer_reader() noexcept;
  explicit ring_buffer_reader(map_handle map);
  ring_buffer_reader(ring_buffer_reader&&) noexcept;
  ring_buffer_reader& operator=(ring_buffer_reader&&) noexcept;
  ~ring_buffer_reader();

  int poll(const handler& on_sample, std::chrono::milliseconds timeout);
  int consume(const handler& on_sample);
  int epoll_fd();
  const map_handle& map() const noexcept { return map_; }

 private:
  state& open();

  map_handle map_;
  std::unique_ptr<state> state_;
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
  using callback = std::function<void(const E&)>;

  ring_buffer() = default;
  explicit ring_buffer(map_handle map) : reader_(map) {}

  // Waits up to `timeout` for events (0: do not wait; negative: forever) and
  // delivers every available event. Returns how many were delivered (0 when
  // the wait was interrupted by a signal).
  int poll(callback on_event, std::chrono::milliseconds timeout) {
    return reader_.poll(adapt(on_event), timeout);
  }

  // Delivers the events available now, without waiting.
  int consume(callback on_event) { return reader_.consume(adapt(on_event)); }

  // Readable when events are waiting: for the caller's own event loop.
  int epoll_fd() { return reader_.epoll_fd(); }
  const map_handle& map() const noexcept { return reader_.map(); }

 private:
  detail::ring_buffer_reader::handler adapt(callback& on_event) const {
    if constexpr (raw) {
      return [&on_event](std::span<const std::byte> sample) { on_event(sample); };
    } else {
      return [this, &on_event](std::span<const std::byte> sample) {
        if (sample.size() != sizeof(E))
          throw error(EBADMSG, "ring buffer '" + std::string(map().name()) + "': an event of " +
                                   std::to_string(sample.size()) + " bytes arrived, the event type is " +
                                   std::to_string(sizeof(E)) + " bytes");
        E event;
        std::memcpy(&event, sample.data(), sizeof(E));
        on_event(event);
      };
    }
  }

  detail::ring_buffer_reader reader_;
};

}  // namespace bpfkit
