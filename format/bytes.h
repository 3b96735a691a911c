/*
 * bytes.h - little-endian loads and stores for the record file library.
 *
 * The record file is little-endian whatever the host is, so every field
 * goes through these helpers, byte by byte, and never through a host
 * struct or a cast pointer: the buffers they read are unaligned. Compilers
 * turn each of them into one plain load or store on little-endian hosts.
 *
 * Private to format/ (and its unit test): nothing else should know how the
 * bytes are laid out.
 */
#ifndef PPROBE_FORMAT_BYTES_H
#define PPROBE_FORMAT_BYTES_H

#include <stdint.h>

static inline uint16_t get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static inline void put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

#endif /* PPROBE_FORMAT_BYTES_H */
