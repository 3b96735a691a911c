/*
 * symfix.c - the functions test_symbols resolves, built into a shared
 * library and, with symfix_main.c, into PIE and non-PIE executables,
 * and into stripped copies of them (tests/CMakeLists.txt). The addresses
 * the loader gives them are the truth the tests hold symbols.c's
 * arithmetic to.
 */
#include "symfix.h"

/* Work enough that each function is longer than the offsets tested. */
static volatile int sink;

/* In .symtab only: a stripped library must not find it. */
static __attribute__((noinline)) int symfix_hidden(int n)
{
	for (int i = 0; i < n; i++)
		sink += i * 3;
	return sink;
}

int symfix_one(int n)
{
	for (int i = 0; i < n; i++)
		sink += i;
	return symfix_hidden(n);
}

int symfix_two(int n)
{
	for (int i = 0; i < n; i++)
		sink ^= i;
	return symfix_hidden(n + 1);
}

/*
 * Aliases named so that only the rules for them put the real names
 * first: by name alone "symfix_alias_weak" and "__symfix_two" sort
 * before "symfix_one" and "symfix_two".
 */
int symfix_alias_weak(int n) __attribute__((weak, alias("symfix_one")));
int __symfix_two(int n) __attribute__((alias("symfix_two")));

uintptr_t symfix_hidden_addr(void)
{
	return (uintptr_t)symfix_hidden;
}

/*
 * Functions in a section of their own, written as hand-written assembly
 * often is. symfix_unsized_alias has no size, but its weak alias
 * symfix_sized has one: the two instructions after it belong to no
 * function. symfix_nosize has no size: it runs up to symfix_last, and
 * symfix_last, the section's last, up to the section's end. "ret" is one
 * instruction on x86-64 and on AArch64 alike.
 */
__asm__(".pushsection symfix_text, \"ax\"\n"
	".weak symfix_sized\n"
	".type symfix_sized, STT_FUNC\n"
	".globl symfix_unsized_alias\n"
	".type symfix_unsized_alias, STT_FUNC\n"
	"symfix_sized:\n"
	"symfix_unsized_alias:\n"
	"\tret\n\tret\n"
	".size symfix_sized, . - symfix_sized\n"
	"\tret\n\tret\n"
	".globl symfix_nosize\n"
	".type symfix_nosize, STT_FUNC\n"
	"symfix_nosize:\n"
	"\tret\n\tret\n\tret\n\tret\n"
	".globl symfix_last\n"
	".type symfix_last, STT_FUNC\n"
	"symfix_last:\n"
	"\tret\n"
	".popsection\n");

/* The link editor defines __stop_SECTION for a section named like C. */
extern const char __stop_symfix_text[];

uintptr_t symfix_text_end(void)
{
	return (uintptr_t)__stop_symfix_text;
}
