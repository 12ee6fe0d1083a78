#include "bpfkit/event_reader.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "bpfkit/error.hpp"
#include "bpfkit/map_view.hpp"

namespace bpfkit {

struct event_reader::state {
  ~state() {
    ring_buffer__free(ring);
    perf_buffer__free(perf);
  }

  ::ring_buffer* ring = nullptr;
  ::perf_buffer* perf = nullptr;
  event_callback on_event;
  lost_callback on_lost;
  std::string name;
  bool stopped = false;  // the callback said stop during this poll
  std::exception_ptr failure;
};

namespace {

// Exceptions must not unwind through libbpf's C frames: they are kept and
// rethrown from poll().
bool deliver(event_reader::state& s, int cpu, const void* data, std::size_t size) {
  if (s.stopped || s.failure) return false;
  try {
    s.stopped = !s.on_event(cpu, std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), size));
  } catch (...) {
    s.failure = std::current_exception();
  }
  return !s.stopped && !s.failure;
}

int on_record(void* context, void* data, std::size_t size) {
  // A negative return stops libbpf and leaves the later records in the ring.
  return deliver(*static_cast<event_reader::state*>(context), -1, data, size) ? 0 : -ECANCELED;
}

void on_sample(void* context, int cpu, void* data, __u32 size) {
  deliver(*static_cast<event_reader::state*>(context), cpu, data, size);
}

void on_lost_samples(void* context, int cpu, __u64 count) {
  auto& s = *static_cast<event_reader::state*>(context);
  if (!s.on_lost || s.failure) return;
  try {
    s.on_lost(cpu, count);
  } catch (...) {
    s.failure = std::current_exception();
  }
}

}  // namespace

event_reader::event_reader(const map_view& map, event_callback on_event, lost_callback lost,
                           std::size_t perf_pages) {
  auto fresh = std::make_unique<state>();
  fresh->on_event = std::move(on_event);
  fresh->on_lost = std::move(lost);
  fresh->name = std::string(map.name());
  const std::string what = "read the events of map '" + fresh->name + "'";
  if (map.type() == map_type::ringbuf) {
    fresh->ring = ring_buffer__new(map.fd(), on_record, fresh.get(), nullptr);
    if (!fresh->ring) throw error(errno, what);
  } else if (map.type() == map_type::perf_event_array) {
    if (perf_pages == 0 || (perf_pages & (perf_pages - 1)) != 0)
      throw error(EINVAL, what + ": pages must be a power of two, not " + std::to_string(perf_pages));
    fresh->perf = perf_buffer__new(map.fd(), perf_pages, on_sample, on_lost_samples, fresh.get(), nullptr);
    if (!fresh->perf) throw error(errno, what);
  } else {
    throw error(EINVAL, what + ": it is a " + map_type_name(map.type()) +
                            " map, not a ringbuf or perf_event_array");
  }
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
  state& s = *state_;
  s.stopped = false;
  s.failure = nullptr;
  int n = s.perf ? perf_buffer__poll(s.perf, timeout_ms) : ring_buffer__poll(s.ring, timeout_ms);
  if (s.failure) std::rethrow_exception(std::exchange(s.failure, nullptr));
  if (n >= 0 || n == -EINTR || (n == -ECANCELED && s.stopped)) return;
  throw error(n, "read the events of map '" + s.name + "'");
}

}  // namespace bpfkit
