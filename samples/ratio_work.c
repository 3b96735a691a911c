/*
 * ratio_work.c - work_one() and work_two(): the same loop, each a copy of
 * its own (always_inline), so that a sample in either is in that
 * function, and the time each takes is proportional to its rounds.
 *
 * Each keeps its state in a volatile array on its stack: a function with
 * a stack frame gets the frame pointer set up under
 * -fno-omit-frame-pointer (GCC leaves it out of frameless leaf functions
 * even then), so `record -g` sees main() as the caller.
 */
#include "ratio_work.h"

static inline __attribute__((always_inline)) unsigned long
spin(unsigned long rounds)
{
	volatile unsigned long state[2] = { 0x9e3779b97f4a7c15ul, 1 };

	for (unsigned long i = 0; i < rounds; i++) {
		unsigned long x = state[0];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		state[0] = x;
		state[1] += x;
	}
	return state[1];
}

/*
 * The same code, but at -O2 a loop's speed depends on where it falls
 * against 32- and 64-byte boundaries (the decoders and the uop cache):
 * unaligned, one build ran work_one's loop 40% faster than work_two's and
 * the true ratio was not 1:2. Aligned alike, both loops lie alike.
 */
__attribute__((noinline, aligned(64))) unsigned long work_one(unsigned long rounds)
{
	return spin(rounds);
}

__attribute__((noinline, aligned(64))) unsigned long work_two(unsigned long rounds)
{
	return spin(rounds);
}
