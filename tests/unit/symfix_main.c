/*
 * symfix_main.c - the executables' half of the fixture: prints where the
 * loader put symfix.c's functions, then this process's mappings, for
 * test_symbols to resolve the addresses as a profile would:
 *
 *     fn symfix_one 0x55d0c0a01139
 *     ...
 *     55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 1234 /path/symfix-pie
 *     ...
 */
#include <inttypes.h>
#include <stdio.h>

#include "symfix.h"

static void print_function(const char *name, uintptr_t addr)
{
	printf("fn %s %#" PRIxPTR "\n", name, addr);
}

int main(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[4096];

	print_function("symfix_one", (uintptr_t)symfix_one);
	print_function("symfix_two", (uintptr_t)symfix_two);
	print_function("symfix_hidden", symfix_hidden_addr());
	print_function("symfix_nosize", (uintptr_t)symfix_nosize);
	if (!maps) {
		perror("/proc/self/maps");
		return 1;
	}
	while (fgets(line, sizeof(line), maps))
		fputs(line, stdout);
	fclose(maps);
	return 0;
}
