/* bpfkit/skel.h: declarations for the generated C++ skeleton (bpfkit-skel).
 *
 * BPFKIT_RINGBUF_EVENT(map, type) declares the event type of a ring buffer,
 * so that the skeleton's maps.<map> is a bpfkit::ring_buffer<type> delivering
 * typed events instead of bytes:
 *
 *   struct event { __u32 pid; char comm[16]; };
 *   struct {
 *     __uint(type, BPF_MAP_TYPE_RINGBUF);
 *     __uint(max_entries, 256 * 1024);
 *   } events SEC(".maps");
 *   BPFKIT_RINGBUF_EVENT(events, struct event);
 *
 * clang writes BTF only for types that globals, maps or function signatures
 * use, not for the local `struct event *e = bpf_ringbuf_reserve(...)`. The
 * macro therefore defines a static function named __bpfkit_event__<map>
 * whose parameter has the event type (and, in C, a BTF decl tag
 * "bpfkit:event=<map>"). The function is never called, so libbpf never loads
 * it; it costs one `exit` instruction in .text and no map or data.
 * bpfkit-skel takes the event type from it and checks that <map> is a ring
 * buffer of the object.
 */
#ifndef BPFKIT_SKEL_H
#define BPFKIT_SKEL_H

#ifdef __cplusplus
/* clang ignores btf_decl_tag in C++; the function name is enough. A C++
 * pointer parameter would only record a declaration of the type. */
#define BPFKIT_RINGBUF_EVENT(map, type)                                        \
  __attribute__((used, noinline)) static void __bpfkit_event__##map(          \
      type event __attribute__((unused))) {}                                   \
  static_assert(true, "BPFKIT_RINGBUF_EVENT ends with a semicolon")
#else
#define BPFKIT_RINGBUF_EVENT(map, type)                                        \
  __attribute__((used, noinline, btf_decl_tag("bpfkit:event=" #map)))         \
  static void __bpfkit_event__##map(type *event __attribute__((unused))) {}    \
  _Static_assert(1, "BPFKIT_RINGBUF_EVENT ends with a semicolon")
#endif

#endif /* BPFKIT_SKEL_H */
