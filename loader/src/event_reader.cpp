#include "bpfkit/event_reader.hpp"

#include <cerrno>
#include <memory>
#include <string>
#include <utility>

#include "bpfkit/error.hpp"
#include "bpfkit/map_view.hpp"
#include "event_buffer.hpp"

namespace bpfkit {

struct event_reader::state {
  // The callbacks as they are, bytes as std::uint8_t.
  detail::event_sink sink() {
    return {[](void* self, int cpu, std::span<const std::byte> data) {
              auto& s = *static_cast<state*>(self);
              return s.on_event(cpu, std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
            },
            [](void* self, int cpu, std::uint64_t count) {
              auto& s = *static_cast<state*>(self);
              if (s.on_lost) s.on_lost(cpu, count);
            },
            this};
  }

  std::unique_ptr<detail::event_buffer> buffer;
  event_callback on_event;
  lost_callback on_lost;
};

event_reader::event_reader(const map_view& map, event_callback on_event, lost_callback lost,
                           std::size_t perf_pages) {
  auto fresh = std::make_unique<state>();
  fresh->on_event = std::move(on_event);
  fresh->on_lost = std::move(lost);
  const std::string what = "read the events of map '" + std::string(map.name()) + "'";
  if (map.type() == map_type::ringbuf)
    fresh->buffer = detail::event_buffer::open_ring(map.fd(), {what, what});
  else if (map.type() == map_type::perf_event_array)
    fresh->buffer = detail::event_buffer::open_perf(map.fd(), perf_pages, {what, what});
  else
    throw error(EINVAL, what + ": it is a " + map_type_name(map.type()) + " map, not a ringbuf or perf_event_array");
  state_ = fresh.release();
}

event_reader::event_reader(event_reader&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)) {}

event_reader& event_reader::operator=(event_reader&& other) noexcept {
  if (this != &other) {
    delete state_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

event_reader::~event_reader() { delete state_; }

void event_reader::poll(int timeout_ms) {
  if (!state_) throw error(EINVAL, "bpfkit::event_reader was moved from", error::complete);
  state_->buffer->poll(state_->sink(), timeout_ms);
}

}  // namespace bpfkit
