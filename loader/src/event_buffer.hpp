// One libbpf ring_buffer or perf_buffer on a map's fd: the single place the
// runtime reads events from the kernel. bpfkit::ring_buffer<E>,
// bpfkit::perf_event_array (a skeleton's typed maps) and bpfkit::event_reader
// (any map by fd, for `bpfkit map watch`) each keep one and differ only in
// how they hand samples on.
//
// libbpf calls back through C frames, which exceptions must not cross: a
// sink's exception is kept, the delivery stopped, and it is rethrown from
// poll()/consume() once libbpf has returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>

struct ring_buffer;
struct perf_buffer;

namespace bpfkit::detail {

// Where one poll()/consume() delivers. `sample` returns false to stop: ring
// buffer records after it stay in the ring, perf samples after it in the
// same batch are dropped. cpu is -1 for ring buffer records. `lost` (perf
// event arrays only; may be null): `count` samples of `cpu` were lost.
struct event_sink {
  bool (*sample)(void* context, int cpu, std::span<const std::byte> data) = nullptr;
  void (*lost)(void* context, int cpu, std::uint64_t count) = nullptr;
  void* context = nullptr;
};

// A sink that never stops, handing every sample to `owner.call(owner.context,
// cpu, data)` (a typed reader's sample_sink); `lost` gets `&owner`.
template <class Owner>
event_sink every_sample_to(Owner& owner, void (*lost)(void* owner, int cpu, std::uint64_t count) = nullptr) {
  return {[](void* self, int cpu, std::span<const std::byte> data) {
            auto& to = *static_cast<Owner*>(self);
            to.call(to.context, cpu, data);
            return true;
          },
          lost, &owner};
}

class event_buffer {
 public:
  // What is being done, for errors: opening ("open ring buffer 'events'")
  // and reading ("read ring buffer 'events'").
  struct actions {
    std::string opening;
    std::string reading;
  };
  // Throw bpfkit::error with the kernel's errno when libbpf cannot map the
  // buffer. pages: per CPU, a power of two (EINVAL otherwise).
  static std::unique_ptr<event_buffer> open_ring(int fd, actions what);
  static std::unique_ptr<event_buffer> open_perf(int fd, std::size_t pages, actions what);
  ~event_buffer();
  event_buffer(const event_buffer&) = delete;
  event_buffer& operator=(const event_buffer&) = delete;

  // Waits up to timeout_ms (negative: forever), delivers what arrived and
  // returns how many samples libbpf handed over; 0 when a signal interrupted
  // it. Rethrows a sink's exception; libbpf's failures throw bpfkit::error.
  int poll(const event_sink& sink, int timeout_ms);
  // Delivers what is there without waiting.
  int consume(const event_sink& sink);
  int epoll_fd() const;

  // Used by libbpf's callbacks (event_buffer.cpp).
  void deliver(int cpu, const void* data, std::size_t size);
  void deliver_lost(int cpu, std::uint64_t count);
  bool stopped() const noexcept { return stopped_ || failure_ != nullptr; }

 private:
  explicit event_buffer(std::string reading) : reading_(std::move(reading)) {}
  template <class Call>
  int run(const event_sink& sink, Call call);

  ::ring_buffer* ring_ = nullptr;
  ::perf_buffer* perf_ = nullptr;
  std::string reading_;
  const event_sink* sink_ = nullptr;  // during one poll()/consume()
  bool stopped_ = false;
  std::exception_ptr failure_;
};

}  // namespace bpfkit::detail
