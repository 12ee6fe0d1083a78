#include "bpfkit/ring_buffer.hpp"

#include <cerrno>
#include <memory>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/error.hpp"
#include "event_buffer.hpp"

namespace bpfkit::detail {

struct ring_buffer_reader::state {
  std::unique_ptr<event_buffer> buffer;
};

namespace {

// The typed ring_buffer's sample_sink for one poll()/consume().
struct typed_sink {
  sample_sink call;
  void* context;
};

}  // namespace

ring_buffer_reader::ring_buffer_reader(map_handle map) : map_(map) {
  expect_map(map_, map_kind::ring_buffer, 0, 0);
}

ring_buffer_reader::ring_buffer_reader(ring_buffer_reader&& other) noexcept
    : map_(other.map_), state_(std::exchange(other.state_, nullptr)) {}

ring_buffer_reader& ring_buffer_reader::operator=(ring_buffer_reader&& other) noexcept {
  if (this != &other) {
    delete state_;
    map_ = other.map_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

ring_buffer_reader::~ring_buffer_reader() { delete state_; }

ring_buffer_reader::state& ring_buffer_reader::open() {
  if (state_) return *state_;
  const std::string name(map_.name());
  if (map_.fd() < 0)
    throw error(EBADF, "read ring buffer '" + name + "': the object is not loaded yet (call load() first)");
  auto fresh = std::make_unique<state>();
  fresh->buffer = event_buffer::open_ring(map_.fd(), {"open ring buffer '" + name + "'", "read ring buffer '" + name + "'"});
  state_ = fresh.release();
  return *state_;
}

int ring_buffer_reader::poll(sample_sink sink, void* context, int timeout_ms) {
  typed_sink typed{sink, context};
  return open().buffer->poll(every_sample_to(typed), timeout_ms);
}

int ring_buffer_reader::consume(sample_sink sink, void* context) {
  typed_sink typed{sink, context};
  return open().buffer->consume(every_sample_to(typed));
}

int ring_buffer_reader::epoll_fd() { return open().buffer->epoll_fd(); }

}  // namespace bpfkit::detail
