/*
 * busy-tree - a small process tree with a bit of everything, for demos.
 *
 *   busy-tree
 *
 * This is what the README records: a "dispatcher" that looks like a tiny
 * server. The parent starts 2 compute threads that burn CPU for 1.9 s of
 * wall time, then forks 3 clients. Each client builds a 32 MiB working set
 * (page faults), then sends 3000 requests to the parent over a pipe and
 * waits for each answer (context switches); the parent serves all three
 * with poll(). When it is done, the last client execs `sleep 0.2` as a
 * "post-processing step", so an exec shows up in the recording too. The
 * parent waits for the clients and its threads and prints one line:
 *
 *   busy-tree: 3 children, 2 threads, 1.9 s
 *
 * Bounded: the threads stop at their deadline, and a client stops sending
 * after 1.5 s even if the machine is too busy to finish its requests. No
 * network, no files.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_THREADS 2
#define NR_CLIENTS 3
#define THREAD_SECONDS 1.9
#define CLIENT_SECONDS 1.5
#define CLIENT_MIB 32
#define CLIENT_REQUESTS 3000

struct client {
	pid_t pid;
	int request_fd;  /* parent reads requests here */
	int answer_fd;   /* parent writes answers here */
	int open;        /* still sending */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A compute thread: a hash loop until the wall-clock deadline. */
static void *compute_main(void *arg)
{
	double deadline = *(const double *)arg;
	uint64_t h = 1469598103934665603ull;
	unsigned i;

	while (now() < deadline) {
		for (i = 0; i < 100000; i++)
			h = (h ^ i) * 1099511628211ull;
	}
	return (void *)(uintptr_t)(h & 1);
}

static int full_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n == 0)
			return 1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A client: build a working set, then ask the parent to hash bits of it. */
static void client_main(int index, int request_fd, int answer_fd)
{
	size_t len = (size_t)CLIENT_MIB << 20, page = (size_t)sysconf(_SC_PAGESIZE), i;
	double deadline = now() + CLIENT_SECONDS;
	unsigned char *mem;
	uint32_t request, answer;
	int n;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(1);
	for (i = 0; i < len; i += page)
		mem[i] = (unsigned char)(i >> 12);

	for (n = 0; n < CLIENT_REQUESTS && now() < deadline; n++) {
		request = mem[((size_t)n * 7919 * page) % len] + (uint32_t)n;
		if (full_write(request_fd, &request, sizeof(request)) ||
		    full_read(answer_fd, &answer, sizeof(answer)))
			_exit(1);
	}
	munmap(mem, len);
	close(request_fd);
	close(answer_fd);

	if (index == NR_CLIENTS - 1) {
		/* The post-processing step: a real exec, visible in the recording. */
		execlp("sleep", "sleep", "0.2", (char *)NULL);
		_exit(127);
	}
	_exit(0);
}

/* Answers requests from every client until all have hung up. */
static void serve(struct client *clients, unsigned nr)
{
	struct pollfd pfd[NR_CLIENTS];
	unsigned open = nr, i;

	while (open) {
		int n;

		for (i = 0; i < nr && i < NR_CLIENTS; i++) {
			pfd[i].fd = clients[i].open ? clients[i].request_fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, i, 5000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "busy-tree: clients stopped sending\n");
			return;
		}
		for (i = 0; i < nr; i++) {
			uint32_t request, answer;

			if (!pfd[i].revents)
				continue;
			if (full_read(clients[i].request_fd, &request, sizeof(request))) {
				clients[i].open = 0;
				open--;
				continue;
			}
			answer = request * 2654435761u; /* the "work" of a request */
			if (full_write(clients[i].answer_fd, &answer, sizeof(answer))) {
				clients[i].open = 0;
				open--;
			}
		}
	}
}

int main(void)
{
	struct client clients[NR_CLIENTS];
	pthread_t threads[NR_THREADS];
	double start = now(), deadline = start + THREAD_SECONDS;
	int nr_threads = 0, nr_clients = 0, failed = 0, i;

	for (i = 0; i < NR_THREADS; i++) {
		if (pthread_create(&threads[i], NULL, compute_main, &deadline)) {
			fprintf(stderr, "busy-tree: cannot start a thread\n");
			break;
		}
		nr_threads++;
	}

	fflush(NULL);
	for (i = 0; i < NR_CLIENTS; i++) {
		int req[2], ans[2];

		if (pipe2(req, O_CLOEXEC) || pipe2(ans, O_CLOEXEC)) {
			perror("busy-tree: pipe");
			break;
		}
		clients[i].pid = fork();
		if (clients[i].pid < 0) {
			perror("busy-tree: fork");
			close(req[0]), close(req[1]), close(ans[0]), close(ans[1]);
			break;
		}
		if (clients[i].pid == 0) {
			int j;

			for (j = 0; j < i; j++) {
				close(clients[j].request_fd);
				close(clients[j].answer_fd);
			}
			close(req[0]);
			close(ans[1]);
			client_main(i, req[1], ans[0]);
		}
		close(req[1]);
		close(ans[0]);
		clients[i].request_fd = req[0];
		clients[i].answer_fd = ans[1];
		clients[i].open = 1;
		nr_clients++;
	}

	serve(clients, (unsigned)nr_clients);

	for (i = 0; i < nr_clients; i++) {
		int status = 0;
		pid_t got;

		close(clients[i].request_fd);
		close(clients[i].answer_fd);
		while ((got = waitpid(clients[i].pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	for (i = 0; i < nr_threads; i++)
		pthread_join(threads[i], NULL);

	printf("busy-tree: %d children, %d threads, %.1f s\n",
	       nr_clients, nr_threads, now() - start);
	if (failed)
		fprintf(stderr, "busy-tree: %d children failed\n", failed);
	return failed || nr_clients != NR_CLIENTS || nr_threads != NR_THREADS;
}
