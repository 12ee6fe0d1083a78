// The skeleton generator's main fixture: one object with every kind of type,
// map and global data section the skeleton must turn into C++ (see
// ../layout_test.cpp and ../compile_check.cpp for what is checked).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpfkit/skel.h>

// A typedef chain: flow_id_t -> u32_t -> __u32 -> unsigned int.
typedef __u32 u32_t;
typedef u32_t flow_id_t;

enum color { RED = 1, GREEN = 2, BLUE = 4 };
enum __attribute__((packed)) level { LEVEL_LOW = 0, LEVEL_HIGH = 200 };  // 1 byte
enum sign { SIGN_NEGATIVE = -5, SIGN_POSITIVE = 5 };                      // signed

struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 sport;
  __u16 dport;
  __u8 proto;
  __u8 flags[3];
};

// C keeps struct tags and typedef names apart; C++ does not.
typedef __u16 clash;
struct clash {
  clash small;  // the typedef
  __u64 big;
};

struct stats {
  __u64 packets;
  __u64 bytes;
  unsigned int kind : 3;
  unsigned int urgent : 1;
  unsigned int level : 12;
  int delta : 9;
  enum color col;
  union {  // anonymous union ...
    __u32 as_u32;
    __u8 as_bytes[4];
    struct {  // ... with an anonymous struct inside
      __u16 lo;
      __u16 hi;
    };
  };
  struct {  // a named member of anonymous type, with C++ keywords as names
    __u32 class;
    __u32 new;
  } meta;
  flow_id_t ids[2][3];
  struct flow_key last;
  void *ptr;  // a BPF pointer: 8 bytes whatever the host
  char name[12];
  enum level lvl;
  enum sign sgn;
  struct clash clash_struct;
  clash clash_typedef;
};

struct __attribute__((packed)) packed_rec {
  __u8 tag;
  __u32 value;
  __u16 more;
};

typedef struct {
  __u32 a;
  __u64 b;
} anon_typedef_t;

typedef char name_t[16];               // a typedef of an array
typedef struct flow_key *flow_key_ptr;  // a typedef of a pointer

struct flags_rec {
  enum color c : 4;  // enum bit-fields: declared as the enum's integer type
  enum sign s : 4;
  __u8 x;
  int errno;  // a name that is a macro in C++ host code
  flow_key_ptr next;
};

struct event {
  __u32 seq;
  __u32 value;
  char tag[8];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct flow_key);
  __type(value, struct stats);
} flows SEC(".maps");

// A map named with a C++ keyword.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, struct packed_rec);
} delete SEC(".maps");

// Sizes only, no BTF types: byte arrays in C++.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8);
  __uint(key_size, 4);
  __uint(value_size, 12);
} raw SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, anon_typedef_t);
} percpu SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_QUEUE);
  __uint(max_entries, 8);
  __type(value, __u32);
} queue SEC(".maps");

// An anonymous key type: named anon_key_key_t.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, struct { __u32 id; __u16 port; });
  __type(value, __u64);
} anon_key SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");
BPFKIT_RINGBUF_EVENT(events, struct event);

// A typedef'd array as the value: std::array in C++.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, name_t);
} names SEC(".maps");

// No event type declared: events arrive as bytes.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} raw_events SEC(".maps");

// .rodata
const volatile __u32 cfg_multiplier = 3;
const volatile enum color cfg_color = GREEN;
const volatile struct {
  __u16 a;
  __u16 b;
} cfg_pair = {1, 2};

// .data
__u64 data_counter = 7;
// .bss
__u32 bss_hits;
__u64 bss_last_value;
struct stats bss_stats;
struct flags_rec bss_flags;
static __u32 hidden_static;  // not exposed: padding in bss_t

// .data.custom, with a C++ keyword as a variable name
__u32 custom_value SEC(".data.custom") = 42;
__u32 this SEC(".data.custom") = 5;

SEC("tc")
int classify(struct __sk_buff *skb) {
  bss_hits++;
  hidden_static += 2;
  data_counter += hidden_static;
  custom_value++;

  struct flow_key key = {.saddr = 1, .daddr = 2, .sport = 3, .dport = 4, .proto = 6};
  struct stats *s = bpf_map_lookup_elem(&flows, &key);
  if (s) {
    bss_last_value = s->packets * cfg_multiplier;
    s->packets++;
    s->bytes += skb->len;
    s->kind = 5;
    s->urgent = 1;
    s->level = 1000;
    s->delta = -3;
    s->hi = 0xbeef;
    s->meta.new = s->meta.class + 1;
    s->lvl = LEVEL_HIGH;
    s->sgn = SIGN_NEGATIVE;
    s->clash_struct.big = 77;
    s->clash_typedef = 78;
    bss_stats = *s;
  }

  __u32 zero = 0;
  struct packed_rec *rec = bpf_map_lookup_elem(&delete, &zero);
  if (rec) {
    rec->tag = 9;
    rec->value = 0x01020304;
    rec->more = cfg_pair.b;
  }

  bss_flags.c = BLUE;
  bss_flags.s = SIGN_POSITIVE;
  bss_flags.x = 7;
  bss_flags.errno = -2;
  name_t *name = bpf_map_lookup_elem(&names, &zero);
  if (name) (*name)[0] = 'Z';

  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    e->seq = bss_hits;
    e->value = cfg_multiplier;
    __builtin_memcpy(e->tag, "layout!", 8);
    bpf_ringbuf_submit(e, 0);
  }
  return cfg_multiplier;
}

// Auto-attachable: counts system calls while attached.
SEC("raw_tp/sys_enter")
int count_syscalls(void *ctx) {
  __sync_fetch_and_add(&this, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
