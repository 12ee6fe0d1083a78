#include "bpfkit/perf_event_array.hpp"

#include <cerrno>
#include <memory>
#include <string>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/error.hpp"
#include "event_buffer.hpp"

namespace bpfkit {

struct perf_event_array::state {
  ~state() {
    buffer.reset();  // no more deliveries before the callback goes
    if (destroy) destroy(context);
  }

  // Every sample to the callback; lost samples counted.
  detail::event_sink sink() {
    return detail::every_sample_to(
        *this, [](void* self, int, std::uint64_t count) { static_cast<state*>(self)->lost += count; });
  }

  std::unique_ptr<detail::event_buffer> buffer;
  detail::sample_sink call = nullptr;
  void* context = nullptr;  // the callback, owned
  void (*destroy)(void*) = nullptr;
  std::uint64_t lost = 0;
};

perf_event_array::perf_event_array(map_handle map) : map_(map) {
  detail::expect_map(map_, detail::map_kind::perf_event_array, 0, 0);
}

perf_event_array::perf_event_array(perf_event_array&& other) noexcept
    : map_(other.map_), state_(std::exchange(other.state_, nullptr)) {}

perf_event_array& perf_event_array::operator=(perf_event_array&& other) noexcept {
  if (this != &other) {
    delete state_;
    map_ = other.map_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

perf_event_array::~perf_event_array() { delete state_; }

void perf_event_array::open_erased(void* callback, detail::sample_sink call,
                                   void (*destroy)(void*), std::size_t pages) {
  auto fresh = std::make_unique<state>();
  fresh->call = call;
  fresh->context = callback;
  fresh->destroy = destroy;
  const std::string name(map_.name());
  if (map_.fd() < 0)
    throw error(EBADF, "open perf event array '" + name + "': the object is not loaded yet (call load() first)");
  fresh->buffer = detail::event_buffer::open_perf(
      map_.fd(), pages, {"open perf event array '" + name + "'", "read perf event array '" + name + "'"});
  delete state_;
  state_ = fresh.release();
}

perf_event_array::state& perf_event_array::require() {
  if (!state_)
    throw error(EINVAL, "perf event array '" + std::string(map_.name()) +
                            "' is not open (call open() first)");
  return *state_;
}

int perf_event_array::poll_ms(int timeout_ms) {
  state& s = require();
  return s.buffer->poll(s.sink(), timeout_ms);
}

int perf_event_array::consume() {
  state& s = require();
  return s.buffer->consume(s.sink());
}

std::uint64_t perf_event_array::lost() const noexcept { return state_ ? state_->lost : 0; }

}  // namespace bpfkit
