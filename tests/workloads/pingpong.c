/*
 * pingpong - a context-switch-heavy calibrated workload.
 *
 *   pingpong [--truth FILE] [ROUND_TRIPS]     (default 20000)
 *
 * The parent forks one child; they bounce one byte over two pipes
 * ROUND_TRIPS times (parent writes, child reads and answers, parent reads).
 * Every read finds an empty pipe and blocks, so each round trip costs about
 * two voluntary context switches and little CPU: the figure to check is
 * context-switches against nvcsw + nivcsw. The child ends when it has
 * answered every byte, or when the parent goes away (end of file), so the
 * program cannot hang; it takes about 20 µs per round trip, under a second
 * for the default.
 *
 * Truth facts: round_trips, children (1).
 */
#include "truth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PINGPONG_MAX (100LL * 1000 * 1000)

/* The child's side: answer every byte until told to stop or end of file. */
static void child_loop(int in, int out, long long rounds)
{
	char c;
	long long i;

	for (i = 0; i < rounds; i++) {
		if (truth_read_byte(in, &c))
			_exit(1);
		if (truth_write_byte(out, c))
			_exit(1);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long rounds = 20000, i;
	int to_child[2], to_parent[2], status;
	pid_t pid;
	char c = 'x';

	if (argc > 2) {
		fprintf(stderr, "usage: pingpong [--truth FILE] [ROUND_TRIPS]\n");
		return 2;
	}
	if (argc == 2)
		rounds = truth_parse_count(argv[1], "round trips", PINGPONG_MAX);

	if (pipe(to_child) || pipe(to_parent)) {
		perror("pingpong: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		child_loop(to_child[0], to_parent[1], rounds);
	}
	close(to_child[0]);
	close(to_parent[1]);

	for (i = 0; i < rounds; i++) {
		if (truth_write_byte(to_child[1], c) || truth_read_byte(to_parent[0], &c)) {
			fprintf(stderr, "pingpong: lost the child after %lld round trips\n", i);
			break;
		}
	}
	close(to_child[1]);
	close(to_parent[0]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("pingpong: waitpid");
			return 1;
		}
	}
	if (i != rounds || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "pingpong: child failed\n");
		return 1;
	}
	truth_fact("round_trips", rounds);
	truth_fact("children", 1);
	return truth_write(truth) ? 1 : 0;
}
