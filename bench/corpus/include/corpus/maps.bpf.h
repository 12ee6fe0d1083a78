/* Map helpers shared by the tracing tools of the corpus. */
#ifndef CORPUS_MAPS_BPF_H
#define CORPUS_MAPS_BPF_H

#include <bpf/bpf_helpers.h>

/* Looks a key up, inserting `init` first when it is absent (another CPU may
 * race us to it: BPF_NOEXIST keeps whichever came first). */
static __always_inline void *corpus_lookup_or_init(void *map, const void *key, const void *init)
{
	void *value = bpf_map_lookup_elem(map, key);
	long err;

	if (value)
		return value;
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */)
		return 0;
	return bpf_map_lookup_elem(map, key);
}

#endif
