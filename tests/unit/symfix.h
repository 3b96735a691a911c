/*
 * symfix.h - the fixture test_symbols resolves (symfix.c): functions
 * built into a shared library and into PIE and non-PIE executables.
 */
#ifndef PPROBE_TESTS_SYMFIX_H
#define PPROBE_TESTS_SYMFIX_H

#include <stdint.h>

int symfix_one(int n);
int symfix_two(int n);

/* A weak alias of symfix_one and a global one of symfix_two. */
int symfix_alias_weak(int n);
int __symfix_two(int n);

/*
 * Assembly alone in the section symfix_text: two names at one address,
 * only the weak one with a size; then two functions without a size.
 */
void symfix_sized(void);
void symfix_unsized_alias(void);
void symfix_nosize(void);
void symfix_last(void);

/* The address of the static function symfix_hidden. */
uintptr_t symfix_hidden_addr(void);
/* The end of the section symfix_text. */
uintptr_t symfix_text_end(void);

#endif /* PPROBE_TESTS_SYMFIX_H */
