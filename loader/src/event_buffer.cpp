#include "event_buffer.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <utility>

#include "bpfkit/error.hpp"

namespace bpfkit::detail {

namespace {

int on_record(void* context, void* data, std::size_t size) {
  auto& buffer = *static_cast<event_buffer*>(context);
  buffer.deliver(-1, data, size);
  // A negative return stops libbpf and leaves the later records in the ring.
  return buffer.stopped() ? -ECANCELED : 0;
}

void on_sample(void* context, int cpu, void* data, __u32 size) {
  auto& buffer = *static_cast<event_buffer*>(context);
  if (!buffer.stopped()) buffer.deliver(cpu, data, size);
}

void on_lost(void* context, int cpu, __u64 count) {
  static_cast<event_buffer*>(context)->deliver_lost(cpu, count);
}

}  // namespace

std::unique_ptr<event_buffer> event_buffer::open_ring(int fd, actions what) {
  std::unique_ptr<event_buffer> buffer(new event_buffer(std::move(what.reading)));
  buffer->ring_ = ring_buffer__new(fd, on_record, buffer.get(), nullptr);
  if (!buffer->ring_) throw error(errno, what.opening);
  return buffer;
}

std::unique_ptr<event_buffer> event_buffer::open_perf(int fd, std::size_t pages, actions what) {
  if (pages == 0 || (pages & (pages - 1)) != 0)
    throw error(EINVAL, what.opening + ": pages must be a power of two, not " + std::to_string(pages));
  std::unique_ptr<event_buffer> buffer(new event_buffer(std::move(what.reading)));
  buffer->perf_ = perf_buffer__new(fd, pages, on_sample, on_lost, buffer.get(), nullptr);
  if (!buffer->perf_) throw error(errno, what.opening);
  return buffer;
}

event_buffer::~event_buffer() {
  ring_buffer__free(ring_);
  perf_buffer__free(perf_);
}

void event_buffer::deliver(int cpu, const void* data, std::size_t size) {
  try {
    if (!sink_->sample(sink_->context, cpu, std::span(static_cast<const std::byte*>(data), size))) stopped_ = true;
  } catch (...) {
    failure_ = std::current_exception();
  }
}

void event_buffer::deliver_lost(int cpu, std::uint64_t count) {
  if (!sink_ || !sink_->lost || failure_) return;
  try {
    sink_->lost(sink_->context, cpu, count);
  } catch (...) {
    failure_ = std::current_exception();
  }
}

template <class Call>
int event_buffer::run(const event_sink& sink, Call call) {
  sink_ = &sink;
  stopped_ = false;
  failure_ = nullptr;
  const int n = call();
  sink_ = nullptr;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  if (n == -EINTR || (n == -ECANCELED && stopped_)) return 0;
  if (n < 0) throw error(n, reading_);
  return n;
}

int event_buffer::poll(const event_sink& sink, int timeout_ms) {
  return run(sink, [&] { return ring_ ? ring_buffer__poll(ring_, timeout_ms) : perf_buffer__poll(perf_, timeout_ms); });
}

int event_buffer::consume(const event_sink& sink) {
  return run(sink, [&] { return ring_ ? ring_buffer__consume(ring_) : perf_buffer__consume(perf_); });
}

int event_buffer::epoll_fd() const { return ring_ ? ring_buffer__epoll_fd(ring_) : perf_buffer__epoll_fd(perf_); }

}  // namespace bpfkit::detail
