// A kernel field named with a C++ keyword: no relocation can find it.
#include "pitfall.h"

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(on_alloc, struct page *page) {
  return BPF_CORE_READ(page, private_);  // error: field 'private' of struct page is spelled 'private_' in C\+\+
}
