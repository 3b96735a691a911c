/*
 * fnv.h - FNV-1a, the string hash the report's tables share: cheap, and
 * good enough for names, paths and build-ids as keys of open-addressing
 * tables that compare the keys themselves on a match.
 */
#ifndef PPROBE_FNV_H
#define PPROBE_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ull

static inline uint64_t fnv1a_byte(uint64_t h, unsigned char b)
{
	return (h ^ b) * 0x100000001b3ull;
}

static inline uint64_t fnv1a_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		h = fnv1a_byte(h, *b++);
	return h;
}

#endif /* PPROBE_FNV_H */
