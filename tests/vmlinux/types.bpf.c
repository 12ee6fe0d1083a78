// A few types in BTF, for reading BTF of both byte orders: compiled with
// -target bpfel and bpfeb, its .BTF must give the same vmlinux.h.
struct sample {
  int id;
  unsigned long long stamp;
  struct sample *next;
  char name[16];
  enum { SAMPLE_A = 1, SAMPLE_B = 0x12345678 } kind;
  unsigned int flags : 3;
};

struct sample used_sample;

