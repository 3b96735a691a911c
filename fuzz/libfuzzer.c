/*
 * libfuzzer.c - libFuzzer's side of a fuzz target: the two functions its
 * driver calls. The build compiles this file once per target, with
 * FUZZ_ENTRY naming the entry function of fuzz.h it hands the inputs to
 * (fuzz/CMakeLists.txt).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/*
	 * What the commands print is made all the same, and thrown away.
	 * Their messages go to standard error, which fuzz/run closes for
	 * the target (-close_fd_mask=2): libFuzzer and the sanitizers keep
	 * a copy of it for their own reports.
	 */
	return freopen("/dev/null", "w", stdout) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = FUZZ_ENTRY(data, size);

	/* Not the input's fault: fuzzing on would test nothing. */
	if (ret < 0) {
		fprintf(stderr, "fuzz: cannot set an input up: %s\n", strerror(-ret));
		abort();
	}
	return 0;
}
